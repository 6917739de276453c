package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Check;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * The servlet layer's entry points for a shop's own code: the web application's tracker (for
 * {@code trackConversion} at checkout) and the visitor's tracking id.
 */
public final class HelloRetailWeb {

    /** Hello Retail's first-party cookie holding the visitor's tracking id. */
    public static final String COOKIE_NAME = "hello_retail_id";
    /** Set by the filter for the rest of the request: the id it tracks this visitor with. */
    static final String TRACKING_USER_ID_ATTRIBUTE = "io.github.helloretail4j.trackingUserId";

    private HelloRetailWeb() {
    }

    /**
     * The web application's tracker: the one {@link PageViewFilter} uses, configured from the
     * {@code helloretail.*} parameters, started with the application and closed when it stops.
     *
     * @throws IllegalStateException when the application has no Hello Retail configuration
     */
    public static HelloRetailTracker tracker(ServletContext context) {
        WebTracking web = WebTracking.get(context);
        if (web == null) {
            throw new IllegalStateException("no Hello Retail tracker in " + WebTracking.displayName(context)
                    + ": declare io.github.helloretail4j.servlet.PageViewFilter (or HelloRetailListener) in web.xml,"
                    + " or keep the jar's web-fragment.xml enabled, and set helloretail.websiteUuid");
        }
        return web.tracker;
    }

    /**
     * The visitor's Hello Retail id: from the {@code hello_retail_id} cookie when it is 24
     * lowercase hex characters (the opted-out id {@code 000000000000000000000000} included), or
     * the id the filter just gave this visitor. Empty when missing or malformed, and when the
     * application requires consent ({@code helloretail.consentCookie}) and the visitor has not
     * given it. Store it with the order when the conversion is submitted later, e.g. from a
     * payment provider's callback, which carries no cookie.
     */
    public static Optional<String> trackingUserId(HttpServletRequest request) {
        Object assigned = request.getAttribute(TRACKING_USER_ID_ATTRIBUTE);
        if (assigned instanceof String id && Check.isTrackingUserId(id)) {
            return Optional.of(id);
        }
        WebTracking web = WebTracking.get(request.getServletContext());
        Cookie[] cookies = request.getCookies();
        if (web != null && !hasConsent(cookies, web.settings)) {
            return Optional.empty();
        }
        return Optional.ofNullable(cookieId(cookies));
    }

    /** The first {@code hello_retail_id} cookie that is a valid id; others are ignored. */
    static String cookieId(Cookie[] cookies) {
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE_NAME.equals(c.getName()) && Check.isTrackingUserId(c.getValue())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    static boolean hasConsent(Cookie[] cookies, Settings settings) {
        if (settings.consentCookieName == null) {
            return true;
        }
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (settings.consentCookieName.equals(c.getName())
                        && (settings.consentCookieValue == null || settings.consentCookieValue.equals(c.getValue()))) {
                    return true;
                }
            }
        }
        return false;
    }
}
