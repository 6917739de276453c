package io.github.helloretail4j.internal;

import io.github.helloretail4j.PageView;

/**
 * Makes a {@link PageView} from values the caller has already checked ({@link Ids}, {@link Urls}, {@link Fields}),
 * without checking them a second time. The servlet filter checks each field as it reads it
 * from the request (it must, to decide whether to track at all), and on the request thread the
 * second round of URL checks in {@link PageView.Builder#build()} was a third of the filter's
 * cost. {@code PageView} hands this class its constructor when it is initialised (the JDK's
 * "shared secrets" pattern), so the public API keeps a single, validating way in.
 *
 * <p>Not part of the public API.
 */
public final class CheckedEvents {

    /** PageView's constructor, as PageView gives it. */
    public interface PageViewFactory {
        PageView create(String trackingUserId, String location, String referrer, String url, String productNumber);
    }

    private static volatile PageViewFactory pageViews;

    private CheckedEvents() {
    }

    /** Called once, by PageView's static initialiser. */
    public static void register(PageViewFactory factory) {
        if (pageViews != null) {
            throw new IllegalStateException("already registered");
        }
        pageViews = factory;
    }

    /**
     * A page view of values each of which is null or passed its check: the tracking id
     * {@link Ids#isTrackingUserId}, the URLs {@link Urls#urlProblem}, the product number
     * {@link Fields#textProblem}; {@code location} not null.
     */
    public static PageView pageView(String trackingUserId, String location, String referrer, String url,
                                    String productNumber) {
        PageViewFactory f = pageViews;
        if (f == null) {
            PageView.builder(); // initialises PageView, which registers its factory
            f = pageViews;
        }
        return f.create(trackingUserId, location, referrer, url, productNumber);
    }
}
