package io.github.helloretail4j.servlet;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recognises crawlers, link previewers, monitors, headless browsers and HTTP libraries by
 * their {@code User-Agent}. A request without one is not from a browser either. Real browsers
 * carry none of these markers, so a false positive costs one untracked view at most, while a
 * missed bot adds a fake visitor to the shop's personalisation.
 */
final class Bots {

    private static final String[] MARKERS = {
            "bot", "crawl", "spider", "slurp", "mediapartners", "facebookexternalhit", "facebookcatalog",
            "embedly", "preview", "headlesschrome", "phantomjs", "lighthouse", "pagespeed", "gtmetrix",
            "pingdom", "uptime", "monitor", "curl/", "wget/", "python-requests", "python-urllib", "aiohttp",
            "httpx", "java/", "java-http-client", "httpclient", "okhttp", "go-http-client", "node-fetch", "axios/",
            "reactor-netty", "reactornetty", "guzzlehttp", "postmanruntime", "insomnia", "python/", "ruby", "php/",
            "libwww-perl", "scrapy", "feedfetcher", "feedburner", "whatsapp", "googleother",
            "google-inspectiontool", "chatgpt", "claude", "perplexity", "cohere-ai", "anthropic-ai",
    };
    /** Longer strings are not browsers; this also bounds the work done on hostile input. */
    private static final int MAX_LENGTH = 1024;

    private Bots() {
    }

    /**
     * Verdicts for the user agents seen lately. A shop's traffic comes from a few hundred
     * distinct browsers, so this saves the request thread the lower-casing and the marker scan
     * of a long string on nearly every request; it is emptied when it grows past its bound, so
     * a flood of distinct (hostile) values cannot make it grow.
     */
    private static final int CACHE_SIZE = 2048;
    private static final ConcurrentHashMap<String, Boolean> CACHE = new ConcurrentHashMap<>();

    static boolean isBot(String userAgent) {
        if (userAgent == null || userAgent.isBlank() || userAgent.length() > MAX_LENGTH) {
            return true;
        }
        Boolean known = CACHE.get(userAgent);
        if (known != null) {
            return known;
        }
        boolean bot = scan(userAgent);
        if (CACHE.size() >= CACHE_SIZE) {
            CACHE.clear();
        }
        CACHE.put(userAgent, bot);
        return bot;
    }

    private static boolean scan(String userAgent) {
        String ua = userAgent.toLowerCase(Locale.ROOT);
        for (String marker : MARKERS) {
            if (ua.contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
