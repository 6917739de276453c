package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import io.github.helloretail4j.servlet.internal.Setting;
import io.github.helloretail4j.testing.LogCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table of parameters against what is written about it elsewhere (the parameter tables of
 * docs/servlet-filter.md, the property list of docs/spring-boot.md, PageViewFilter's constants), and what the table alone decides: the
 * start-up line, which parameters must agree between a filter and its application, the rules
 * across parameters and the errors that carry the parameter they are about.
 */
class ParametersTest {

    private static final String UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";

    @TempDir
    Path temp;

    private static Settings resolve(Map<String, String> contextParams) {
        return Settings.resolve(new Settings.Sources(n -> null, n -> null, Map.of(), contextParams));
    }

    private static Map<String, String> withUuid(String... nameValues) {
        Map<String, String> params = new HashMap<>(Map.of(Parameters.PARAM_WEBSITE_UUID, UUID));
        for (int i = 0; i < nameValues.length; i += 2) {
            params.put(nameValues[i], nameValues[i + 1]);
        }
        return params;
    }

    // The docs.

    /** The three groups of docs/servlet-filter.md's parameters, in the order the page gives them. */
    static final List<String> PARAMETER_GROUPS = List.of("Essentials", "Frequently used", "Rarely used");

    /**
     * A page of the repository's documentation ({@code docs/servlet-filter.md}), found from the
     * working directory or one above it (a module folder of the build).
     */
    static String doc(String relativePath) throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path page = dir.resolve(relativePath);
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(page)) {
                return Files.readString(page, StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + relativePath + " beside a README.md above " + Path.of("").toAbsolutePath());
    }

    /** The text of a {@code ## heading} of a page, up to the next {@code ## } heading. */
    private static String section(String page, String name, String heading) {
        int start = page.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, name + ": no " + heading);
        assertEquals(-1, page.indexOf("\n" + heading + "\n", start + 1), name + ": two " + heading);
        int end = page.indexOf("\n## ", start + 1);
        return page.substring(start + 1, end < 0 ? page.length() : end);
    }

    /**
     * The rows of the servlet filter's parameter tables (docs/servlet-filter.md, {@code ## Parameters},
     * one table under each group's {@code ###} heading), by the name in backticks in their first column.
     */
    static Map<String, String> documentedParameterRows() throws IOException {
        return documentedParameterRowsByGroup().values().stream().flatMap(m -> m.entrySet().stream())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** The same rows by group; a name in two rows, anywhere in the section, fails. */
    static Map<String, Map<String, String>> documentedParameterRowsByGroup() throws IOException {
        String parameters = section(doc("docs/servlet-filter.md"), "docs/servlet-filter.md", "## Parameters");
        List<String> groups = new ArrayList<>();
        Matcher heading = Pattern.compile("(?m)^### (.+)$").matcher(parameters);
        while (heading.find()) {
            groups.add(heading.group(1));
        }
        assertEquals(PARAMETER_GROUPS, groups, "docs/servlet-filter.md: the groups under ## Parameters");
        Map<String, Map<String, String>> byGroup = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            int start = parameters.indexOf("\n### " + groups.get(i) + "\n");
            int end = i + 1 < groups.size() ? parameters.indexOf("\n### " + groups.get(i + 1) + "\n") : parameters.length();
            Map<String, String> rows = new LinkedHashMap<>();
            Matcher row = Pattern.compile("(?m)^\\| `(helloretail\\.[A-Za-z]+)` \\|(.*)$").matcher(parameters.substring(start, end));
            while (row.find()) {
                assertEquals(null, seen.put(row.group(1), groups.get(i)),
                        "docs/servlet-filter.md: two rows for " + row.group(1));
                rows.put(row.group(1), row.group(2));
            }
            assertFalse(rows.isEmpty(), "docs/servlet-filter.md: no parameter under ### " + groups.get(i));
            byGroup.put(groups.get(i), rows);
        }
        Matcher stray = Pattern.compile("(?m)^\\| `(helloretail\\.[A-Za-z]+)` \\|").matcher(
                parameters.substring(0, parameters.indexOf("\n### ")));
        assertFalse(stray.find(), "docs/servlet-filter.md: a parameter row before the first group");
        return byGroup;
    }

    @Test
    void docs_parameterTables_haveARowForEveryParameterAndNoOther() throws IOException {
        TreeSet<String> table = Parameters.ALL.stream().map(Setting::name).collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> documented = new TreeSet<>(documentedParameterRows().keySet());
        TreeSet<String> undocumented = new TreeSet<>(table);
        undocumented.removeAll(documented);
        TreeSet<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(table);
        assertEquals("", (undocumented.isEmpty() ? "" : "not in docs/servlet-filter.md's parameter tables: " + undocumented)
                + (unknown.isEmpty() ? "" : " in docs/servlet-filter.md's parameter tables but no parameter: " + unknown));
    }

    @Test
    void docs_essentials_areTheRequiredUuidAndWhatAShopMustDecide() throws IOException {
        // the one required parameter is where a newcomer reads first; deprecated names are never there
        Map<String, String> essentials = documentedParameterRowsByGroup().get("Essentials");
        assertTrue(essentials.containsKey(Parameters.PARAM_WEBSITE_UUID), essentials.keySet().toString());
        for (Setting<?> setting : Parameters.ALL) {
            if (setting.isDeprecated()) {
                assertFalse(essentials.containsKey(setting.name()), setting.name());
            }
        }
    }

    @Test
    void docs_deprecatedName_isSaidDeprecatedNamingItsReplacement() throws IOException {
        Map<String, String> rows = documentedParameterRows();
        for (Setting<?> setting : Parameters.ALL) {
            String row = rows.get(setting.name());
            assertNotNull(row, setting.name());
            assertEquals(setting.isDeprecated(), row.toLowerCase().contains("deprecated"), setting.name() + ": " + row);
            if (setting.isDeprecated()) {
                assertTrue(row.contains(setting.replacement().name()), setting.name() + ": " + row);
            }
        }
    }

    @Test
    void docs_springPropertyList_namesEveryProperty() throws IOException {
        String properties = section(doc("docs/spring-boot.md"), "docs/spring-boot.md", "## Properties");
        // the first paragraph under the heading is the list
        int start = properties.indexOf("\n\n") + 2;
        String list = properties.substring(start, properties.indexOf("\n\n", start));
        assertTrue(list.startsWith("Every parameter of the filter"), "docs/spring-boot.md, ## Properties: " + list);
        List<String> missing = new ArrayList<>();
        for (Setting<?> setting : Parameters.ALL) {
            String property = setting.frameworkName();
            // the first in full, the others after helloretail.
            if (property != null && !list.contains("`" + property + "`")
                    && !list.contains("`" + property.substring("helloretail.".length()) + "`")) {
                missing.add(property);
            }
        }
        assertEquals(List.of(), missing, "not in docs/spring-boot.md's property list");
    }

    // PageViewFilter.

    @Test
    void pageViewFilter_paramConstants_areTheTablesNamesAndDefaults() throws Exception {
        Map<String, String> params = new TreeMap<>();
        Map<String, String> defaults = new TreeMap<>();
        // the order feed's are OrderFeedServlet's: PARAM_PASSWORD, DEFAULT_USER
        for (Field f : concat(PageViewFilter.class.getFields(), OrderFeedServlet.class.getFields())) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                if (f.getName().startsWith("PARAM_")) {
                    assertEquals(null, params.put(f.getName().substring("PARAM_".length()), (String) f.get(null)));
                } else if (f.getName().startsWith("DEFAULT_")) {
                    defaults.put(f.getName().substring("DEFAULT_".length()), (String) f.get(null));
                }
            }
        }
        assertEquals(Parameters.ALL.stream().map(Setting::name).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(params.values()));
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            Setting<?> setting = setting(params.get(d.getKey()));
            Setting<?> current = setting.isDeprecated() ? setting.replacement() : setting;
            assertEquals(current.defaultValue(), d.getValue(), "DEFAULT_" + d.getKey());
        }
        for (Setting<?> setting : Parameters.ALL) {
            String constant = params.entrySet().stream().filter(e -> e.getValue().equals(setting.name()))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
            Setting<?> current = setting.isDeprecated() ? setting.replacement() : setting;
            assertEquals(current.defaultValue() != null, defaults.containsKey(constant), "DEFAULT_" + constant);
        }
    }

    private static Field[] concat(Field[] a, Field[] b) {
        Field[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static Setting<?> setting(String name) {
        return Parameters.ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void frameworkSupport_settings_areTheTable() {
        assertSame(Parameters.ALL, FrameworkSupport.settings());
    }

    // What the table decides.

    @Test
    void describe_trackerWideParameters_withTheTrustStorePasswordMasked() throws Exception {
        Path store = trustStore("s3cret-pw");
        Settings s = resolve(withUuid(Parameters.PARAM_TRUST_STORE, store.toString(),
                Parameters.PARAM_TRUST_STORE_PASSWORD, "s3cret-pw"));
        assertEquals("helloretail.websiteUuid=" + UUID + ", helloretail.endpoint=https://core.helloretail.com/serve/,"
                + " helloretail.enabled=true, helloretail.outboxDirectory=(the container's temp directory),"
                + " helloretail.outboxDataSource=none, helloretail.outboxTable=helloretail_outbox,"
                + " helloretail.maxRequestsInFlight=16, helloretail.maxConversionsInFlight=32,"
                + " helloretail.trustStore=" + store + ","
                + " helloretail.trustStorePassword=(set, not shown), helloretail.consentCookie=none,"
                + " helloretail.createTrackingUser=false", s.describe());
        assertFalse(s.describe().contains("s3cret"));
    }

    @Test
    void trustStore_wrongPassword_namesTheFileNeverThePassword() throws Exception {
        Path store = trustStore("right-pw");
        var e = assertThrows(InvalidSettingException.class, () -> resolve(withUuid(Parameters.PARAM_TRUST_STORE,
                store.toString(), Parameters.PARAM_TRUST_STORE_PASSWORD, "wrong-pw")));
        assertTrue(e.getMessage().startsWith("helloretail.trustStore (context-param) cannot be read as a PKCS12 or JKS"
                + " trust store ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("): \"" + store + "\""), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
        assertEquals(Parameters.TRUST_STORE, e.setting());
    }

    private Path trustStore(String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, password.toCharArray());
        Path file = temp.resolve("trust-" + password.length() + ".p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
        return file;
    }

    @Test
    void sameTracker_eachTrackerWideParameter_tellsTrackersApart() {
        Map<String, String> values = Map.of(Parameters.PARAM_ENDPOINT, "https://collector.example/serve/",
                Parameters.PARAM_ENABLED, "false", Parameters.PARAM_OUTBOX_DIRECTORY, "/var/lib/shop/outbox",
                Parameters.PARAM_MAX_REQUESTS_IN_FLIGHT, "4", Parameters.PARAM_CONSENT_COOKIE, "cc=yes",
                Parameters.PARAM_CREATE_TRACKING_USER, "true");
        Settings base = resolve(withUuid());
        for (Map.Entry<String, String> v : values.entrySet()) {
            assertTrue(setting(v.getKey()).isTrackerWide(), v.getKey());
            assertFalse(base.sameTracker(resolve(withUuid(v.getKey(), v.getValue()))), v.getKey());
        }
        // a filter's own parameter, and the same value written otherwise, is the same tracker
        assertTrue(base.sameTracker(resolve(withUuid(Parameters.PARAM_EXCLUDE_PATHS, "/admin/**"))));
        assertTrue(base.sameTracker(resolve(withUuid(Parameters.PARAM_ENABLED, "TRUE",
                Parameters.PARAM_MAX_REQUESTS_IN_FLIGHT, " 16 "))));
        assertTrue(base.sameTracker(resolve(withUuid(Parameters.PARAM_SENDER_THREADS, "16"))));
    }

    @Test
    void outboxTable_notATableName_isRefusedAsTheParameterBeforeAnyLookup() {
        var e = assertThrows(InvalidSettingException.class, () -> resolve(withUuid(
                Parameters.PARAM_OUTBOX_DATA_SOURCE, "java:comp/env/jdbc/shop", Parameters.PARAM_OUTBOX_TABLE, "Orders; --")));
        assertEquals("helloretail.outboxTable (context-param) must be a table name, optionally after its schema and a"
                + " dot (helloretail_outbox, shop.helloretail_outbox), of lower-case letters, digits and _, the table"
                + " at most 55 characters: \"Orders; --\"", e.getMessage());
        assertEquals(Parameters.OUTBOX_TABLE, e.setting());
        assertEquals("Orders; --", e.value());
    }

    @Test
    void outboxDirectoryAndDataSource_bothSet_isTheDataSourcesError() {
        var e = assertThrows(InvalidSettingException.class, () -> resolve(withUuid(
                Parameters.PARAM_OUTBOX_DIRECTORY, "/var/lib/shop/outbox",
                Parameters.PARAM_OUTBOX_DATA_SOURCE, "java:comp/env/jdbc/shop")));
        assertEquals("helloretail.outboxDirectory (context-param) \"/var/lib/shop/outbox\" and helloretail.outboxDataSource"
                + " (context-param) \"java:comp/env/jdbc/shop\" are both set; conversions wait in one of them: keep"
                + " helloretail.outboxDataSource for a shop of several nodes, or helloretail.outboxDirectory for one",
                e.getMessage());
        assertEquals(Parameters.OUTBOX_DATA_SOURCE, e.setting());
    }

    @Test
    void fromFramework_outboxDataSourceFlagAndDirectory_bothSet_namesBothWithoutEchoingTheFlag() {
        var e = assertThrows(InvalidSettingException.class, () -> Settings.fromFramework(Map.of(
                Parameters.WEBSITE_UUID, UUID, Parameters.OUTBOX_DIRECTORY, "/var/lib/shop/outbox",
                Parameters.OUTBOX_DATA_SOURCE, "true"), Setting::frameworkName, s -> "line of " + s.frameworkName()));
        assertEquals("helloretail.outbox-directory (line of helloretail.outbox-directory) \"/var/lib/shop/outbox\" and"
                + " helloretail.outbox-data-source (line of helloretail.outbox-data-source) are both set; conversions"
                + " wait in one of them: keep helloretail.outbox-data-source for a shop of several nodes, or"
                + " helloretail.outbox-directory for one", e.getMessage());
        assertEquals(Parameters.OUTBOX_DATA_SOURCE, e.setting());
    }

    @Test
    void websiteUuid_missing_isAnErrorOfTheParameterWithoutValue() {
        var e = assertThrows(InvalidSettingException.class, () -> resolve(Map.of()));
        assertEquals("helloretail.websiteUuid is required: set it as a context-param, a system property or the"
                + " environment variable HELLORETAIL_WEBSITE_UUID (or set helloretail.enabled=false)", e.getMessage());
        assertEquals(Parameters.WEBSITE_UUID, e.setting());
        assertEquals(null, e.value());
    }

    @Test
    void unknownParameter_listsTheCurrentNamesButNotTheDeprecated() {
        var e = assertThrows(IllegalArgumentException.class, () -> resolve(withUuid("helloretail.senderThread", "4")));
        assertTrue(e.getMessage().startsWith("unknown context-param \"helloretail.senderThread\"; the parameters are"
                + " helloretail.websiteUuid, "), e.getMessage());
        assertTrue(e.getMessage().contains("helloretail.maxRequestsInFlight"), e.getMessage());
        assertFalse(e.getMessage().contains("helloretail.senderThreads"), e.getMessage());
    }

    @Test
    void deprecatedName_asAFiltersInitParam_isReportedByThatFilter() {
        Settings s = Settings.resolve(new Settings.Sources(n -> null, n -> null,
                Map.of(Parameters.PARAM_SENDER_THREADS, "4"), withUuid()));
        assertEquals(1, s.deprecations(true).size());
        Settings fromContext = resolve(withUuid(Parameters.PARAM_SENDER_THREADS, "4"));
        assertEquals(List.of(), fromContext.deprecations(true));
        assertEquals(1, fromContext.deprecations().size());
    }

    @Test
    void start_deprecatedContextParam_logsOneWarnNamingTheNewName() {
        AdoptedTrackerTest.App app = new AdoptedTrackerTest.App();
        app.contextParams.putAll(withUuid(Parameters.PARAM_SENDER_THREADS, "4", Parameters.PARAM_ENABLED, "false",
                Parameters.PARAM_OUTBOX_DIRECTORY, temp.resolve("outbox").toString()));
        try (LogCapture log = new LogCapture()) {
            WebTracking web = WebTracking.startForApplication(app);
            // the filter reads the same context-param again, and says nothing more about it
            PageViews filter = PageViews.start(app, "helloretail", Map.of());
            filter.close();
            web.close();
            List<String> warnings = log.text().lines().filter(l -> l.contains("is deprecated")).toList();
            assertEquals(1, warnings.size(), log.text());
            assertTrue(warnings.get(0).contains("WARN"), warnings.get(0));
            assertTrue(warnings.get(0).contains("helloretail.senderThreads (context-param) is deprecated: rename it"
                    + " helloretail.maxRequestsInFlight"), warnings.get(0));
        }
    }

    @Test
    void trackerBuilder_theBuildersSettings_reachTheTracker() {
        Path outbox = temp.resolve("outbox");
        Settings s = resolve(withUuid(Parameters.PARAM_ENABLED, "false",
                Parameters.PARAM_ENDPOINT, "https://collector.example/serve/"));
        try (HelloRetailTracker tracker = s.build(s.trackerBuilder(outbox, "settings"), outbox)) {
            assertFalse(tracker.isEnabled());
            assertEquals(UUID, tracker.websiteUuid());
            assertEquals(URI.create("https://collector.example/serve/"), tracker.endpoint());
        }
    }

    @Test
    void build_outboxDirectoryHeldByAnotherTracker_isTheDirectorysError() {
        Path outbox = temp.resolve("held");
        Settings s = resolve(withUuid(Parameters.PARAM_ENDPOINT, "http://127.0.0.1:9/serve/",
                Parameters.PARAM_OUTBOX_DIRECTORY, outbox.toString()));
        try (HelloRetailTracker other = s.build(s.trackerBuilder(outbox, "other"), outbox)) {
            var e = assertThrows(InvalidSettingException.class, () -> s.build(s.trackerBuilder(outbox, "second"), outbox));
            assertTrue(e.getMessage().startsWith("helloretail.outboxDirectory (context-param) \"" + outbox
                    + "\" cannot be used: outboxDirectory " + outbox.toAbsolutePath() + " is in use by another Hello"
                    + " Retail tracker"), e.getMessage());
            assertEquals(Parameters.OUTBOX_DIRECTORY, e.setting());
            assertEquals(outbox.toString(), e.value());
        }
    }

    @Test
    void table_names_areDistinctAndEachDeprecatedNameFollowsItsReplacement() {
        assertEquals(Parameters.ALL.size(), Parameters.ALL.stream().map(Setting::name).distinct().count());
        for (int i = 0; i < Parameters.ALL.size(); i++) {
            Setting<?> s = Parameters.ALL.get(i);
            if (s.isDeprecated()) {
                assertTrue(Parameters.ALL.subList(0, i).contains(s.replacement()), s.name());
                assertEquals(null, s.defaultValue(), s.name());
            }
            assertFalse(s.meaning().isBlank(), s.name());
        }
    }
}
