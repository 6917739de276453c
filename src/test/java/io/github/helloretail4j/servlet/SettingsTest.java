package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    private static final String A = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    private static final String B = "11111111-2222-3333-4444-555555555555";
    private static final String C = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String D = "99999999-8888-7777-6666-555555555555";

    private static Settings resolve(Map<String, String> sys, Map<String, String> env, Map<String, String> init,
                                    Map<String, String> context) {
        return Settings.resolve(new Settings.Sources(sys::get, env::get, init, context));
    }

    @Test
    void precedence_systemPropertyThenEnvironmentThenInitParamThenContextParam() {
        String name = "helloretail.websiteUuid";
        String env = "HELLORETAIL_WEBSITE_UUID";
        assertEquals(A, resolve(Map.of(name, A), Map.of(env, B), Map.of(name, C), Map.of(name, D)).get(Parameters.WEBSITE_UUID));
        assertEquals(B, resolve(Map.of(), Map.of(env, B), Map.of(name, C), Map.of(name, D)).get(Parameters.WEBSITE_UUID));
        assertEquals(C, resolve(Map.of(), Map.of(), Map.of(name, C), Map.of(name, D)).get(Parameters.WEBSITE_UUID));
        assertEquals(D, resolve(Map.of(), Map.of(), Map.of(), Map.of(name, D)).get(Parameters.WEBSITE_UUID));
    }

    @Test
    void blankValues_fallThroughToTheNextSource() {
        String name = "helloretail.websiteUuid";
        assertEquals(D, resolve(Map.of(name, " "), Map.of(), Map.of(name, ""), Map.of(name, D)).get(Parameters.WEBSITE_UUID));
    }

    @Test
    void defaults_apply() {
        Settings s = resolve(Map.of(), Map.of(), Map.of(), Map.of("helloretail.websiteUuid", A));
        assertTrue(s.get(Parameters.ENABLED));
        assertEquals(URI.create("https://core.helloretail.com/serve/"), s.get(Parameters.ENDPOINT));
        assertNull(s.get(Parameters.PRODUCT_NUMBER_PATTERN));
        assertEquals(PathGlobs.DEFAULT, s.get(Parameters.EXCLUDE_PATHS).toString());
        assertNull(s.get(Parameters.PUBLIC_BASE_URL));
        assertFalse(s.get(Parameters.TRUST_FORWARDED_HEADERS));
        assertNull(s.get(Parameters.CONSENT_COOKIE));
        assertFalse(s.get(Parameters.HONOR_GLOBAL_PRIVACY_CONTROL));
        assertFalse(s.get(Parameters.CREATE_TRACKING_USER));
        assertTrue(s.get(Parameters.INSTALL_FILTER));
        assertEquals(16, s.get(Parameters.MAX_REQUESTS_IN_FLIGHT));
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "64, 64", "' 8 ', 8"})
    void maxRequestsInFlight_wholeNumberFrom1To64(String value, int expected) {
        assertEquals(expected, resolve(Map.of(), Map.of(), Map.of("helloretail.maxRequestsInFlight", value),
                Map.of("helloretail.websiteUuid", A)).get(Parameters.MAX_REQUESTS_IN_FLIGHT));
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "64, 64", "' 8 ', 8"})
    void senderThreads_deprecatedName_setsMaxRequestsInFlight(String value, int expected) {
        Settings s = resolve(Map.of(), Map.of(), Map.of("helloretail.senderThreads", value),
                Map.of("helloretail.websiteUuid", A));
        assertEquals(expected, s.get(Parameters.MAX_REQUESTS_IN_FLIGHT));
        assertEquals(List.of("helloretail.senderThreads (init-param) is deprecated: rename it"
                + " helloretail.maxRequestsInFlight, the same setting under a name that says what it is (most page"
                + " view requests in flight at once; page views/s ≈ this / the round trip)"), s.deprecations());
    }

    @Test
    void maxRequestsInFlight_alone_isNotDeprecated() {
        assertEquals(List.of(), resolve(Map.of(), Map.of(), Map.of("helloretail.maxRequestsInFlight", "8"),
                Map.of("helloretail.websiteUuid", A)).deprecations());
    }

    @Test
    void maxRequestsInFlightAndSenderThreads_bothSet_failsNamingBoth() {
        var e = assertThrows(InvalidSettingException.class, () -> resolve(Map.of(),
                Map.of("HELLORETAIL_SENDER_THREADS", "4"), Map.of("helloretail.maxRequestsInFlight", "8"),
                Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.maxRequestsInFlight (init-param) \"8\" and helloretail.senderThreads (environment"
                + " variable HELLORETAIL_SENDER_THREADS) \"4\" are both set; helloretail.senderThreads is the deprecated"
                + " name of helloretail.maxRequestsInFlight: keep helloretail.maxRequestsInFlight alone", e.getMessage());
        assertEquals(Parameters.SENDER_THREADS, e.setting());
        assertEquals("4", e.value());
    }

    @Test
    void badExcludePath_namesTheGlobAndTheList() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of(), Map.of(),
                Map.of("helloretail.excludePaths", "*.css,/a\tb"), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.excludePaths (init-param) has a glob with a space or control character: \"/a\\tb\""
                + " in the list: \"*.css,/a\\tb\"", e.getMessage());
    }

    @Test
    void removeQueryParameters_default_isTheDocumentedList() {
        Settings s = resolve(Map.of(), Map.of(), Map.of(), Map.of("helloretail.websiteUuid", A));
        assertEquals(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS, s.get(Parameters.REMOVE_QUERY_PARAMETERS).toString());
        assertTrue(s.get(Parameters.REMOVE_QUERY_PARAMETERS).contains("jsessionid"));
    }

    @Test
    void removeQueryParameters_set_replacesTheDefault_andNoneRemovesNone() {
        Settings voucher = resolve(Map.of(), Map.of(), Map.of("helloretail.removeQueryParameters", "voucher, Token"),
                Map.of("helloretail.websiteUuid", A));
        assertEquals("voucher,Token", voucher.get(Parameters.REMOVE_QUERY_PARAMETERS).toString());
        assertFalse(voucher.get(Parameters.REMOVE_QUERY_PARAMETERS).contains("code"));
        Settings none = resolve(Map.of("helloretail.removeQueryParameters", "none"), Map.of(), Map.of(),
                Map.of("helloretail.websiteUuid", A));
        assertTrue(none.get(Parameters.REMOVE_QUERY_PARAMETERS).isEmpty());
        // blank is no value, as for every parameter: the next source, then the default
        Settings blank = resolve(Map.of(), Map.of("HELLORETAIL_REMOVE_QUERY_PARAMETERS", " "), Map.of(),
                Map.of("helloretail.websiteUuid", A));
        assertEquals(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS, blank.get(Parameters.REMOVE_QUERY_PARAMETERS).toString());
    }

    @Test
    void removeQueryParameters_badName_namesItAndTheList() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of(), Map.of(),
                Map.of("helloretail.removeQueryParameters", "token,code=1"), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.removeQueryParameters (init-param) has a name with a space, control character, '&',"
                + " '=' or '#': \"code=1\" in the list: \"token,code=1\"", e.getMessage());
    }

    @Test
    void productNumberParameter_removedAsSecret_isRefusedNamingBoth() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of(), Map.of(),
                Map.of("helloretail.productNumberParameter", "code"), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.productNumberParameter (init-param) is in helloretail.removeQueryParameters (default),"
                + " the query parameters taken out of the URLs sent; set helloretail.removeQueryParameters to a list"
                + " without it, or name another parameter: \"code\"", e.getMessage());
        assertEquals("code", resolve(Map.of(), Map.of(), Map.of("helloretail.productNumberParameter", "code",
                "helloretail.removeQueryParameters", "token"), Map.of("helloretail.websiteUuid", A)).get(Parameters.PRODUCT_NUMBER_PARAMETER));
    }

    @ParameterizedTest
    @CsvSource({"0", "65", "-2", "eight", "2.5", "99999999999"})
    void maxRequestsInFlight_outOfRange_namesParameterAndValue(String value) {
        var e = assertThrows(InvalidSettingException.class, () -> resolve(Map.of(), Map.of(),
                Map.of("helloretail.maxRequestsInFlight", value), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.maxRequestsInFlight (init-param) must be a whole number from 1 to 64: \"" + value
                + "\"", e.getMessage());
        assertEquals(Parameters.MAX_REQUESTS_IN_FLIGHT, e.setting());
        assertEquals(value, e.value());
        assertEquals("init-param", e.where());
    }

    @ParameterizedTest
    @CsvSource({"0", "65", "-2", "eight", "2.5", "99999999999"})
    void senderThreads_outOfRange_namesParameterAndValue(String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of(), Map.of(),
                Map.of("helloretail.senderThreads", value), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.senderThreads (init-param) must be a whole number from 1 to 64: \"" + value + "\"",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"helloretail.websiteUuid, HELLORETAIL_WEBSITE_UUID",
            "helloretail.trustForwardedHeaders, HELLORETAIL_TRUST_FORWARDED_HEADERS", "helloretail.endpoint, HELLORETAIL_ENDPOINT"})
    void environmentName_upperSnake(String name, String env) {
        assertEquals(env, Parameters.ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow()
                .environmentName());
    }

    @Test
    void badValueFromEnvironment_namesTheVariable() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of(),
                Map.of("HELLORETAIL_ENABLED", "maybe"), Map.of(), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.enabled (environment variable HELLORETAIL_ENABLED) must be true or false: \"maybe\"",
                e.getMessage());
    }

    @Test
    void badValueFromSystemProperty_namesIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(Map.of("helloretail.endpoint", "ftp://x/"),
                Map.of(), Map.of(), Map.of("helloretail.websiteUuid", A)));
        assertEquals("helloretail.endpoint (system property) must be an https URL with a host and no user, query or"
                + " fragment, like https://core.helloretail.com/serve/: \"ftp://x/\"", e.getMessage());
    }

    @Test
    void disabled_needsNoWebsiteUuid() {
        assertFalse(resolve(Map.of(), Map.of(), Map.of(), Map.of("helloretail.enabled", "false")).get(Parameters.ENABLED));
    }

    @Test
    void consentCookie_nameOrNameValue() {
        Settings name = resolve(Map.of(), Map.of(), Map.of(), Map.of("helloretail.websiteUuid", A,
                "helloretail.consentCookie", "cookie_consent"));
        assertEquals("cookie_consent", name.get(Parameters.CONSENT_COOKIE).name());
        assertNull(name.get(Parameters.CONSENT_COOKIE).value());
        Settings pair = resolve(Map.of(), Map.of(), Map.of(), Map.of("helloretail.websiteUuid", A,
                "helloretail.consentCookie", "cc=statistics"));
        assertEquals("cc", pair.get(Parameters.CONSENT_COOKIE).name());
        assertEquals("statistics", pair.get(Parameters.CONSENT_COOKIE).value());

        assertTrue(WebTracking.hasConsent(new TestExchange().cookie("cc", "statistics"), pair));
        assertFalse(WebTracking.hasConsent(new TestExchange().cookie("cc", "none"), pair));
        assertTrue(WebTracking.hasConsent(new TestExchange().cookie("cc", "none").cookie("cc", "statistics"), pair));
        assertFalse(WebTracking.hasConsent(new TestExchange(), pair));
        assertTrue(WebTracking.hasConsent(new TestExchange().cookie("cookie_consent", "anything"), name));
    }

    @Test
    void cookieId_firstValidHelloRetailIdWins() {
        assertEquals("62a0317d17698aa57d369db9", WebTracking.cookieId(new TestExchange()
                .cookie("hello_retail_id", "junk").cookie("other", "62a0317d17698aa57d369db8")
                .cookie("hello_retail_id", "62a0317d17698aa57d369db9")
                .cookie("hello_retail_id", "62a0317d17698aa57d369db7")));
        assertNull(WebTracking.cookieId(new TestExchange().cookie("hello_retail_id", "62A0317D17698AA57D369DB9")));
        assertNull(WebTracking.cookieId(new TestExchange().cookie("hello_retail_id", "")));
        assertNull(WebTracking.cookieId(new TestExchange()));
        assertEquals("000000000000000000000000",
                WebTracking.cookieId(new TestExchange().cookie("hello_retail_id", "000000000000000000000000")));
    }

    @ParameterizedTest
    @CsvSource({"'', helloretail4j", "/shop, helloretail4j.shop", "/my shop/x, helloretail4j.my.shop.x"})
    void trackerName_fromContextPath(String path, String name) {
        assertEquals(name, WebTracking.trackerName(path));
    }
}
