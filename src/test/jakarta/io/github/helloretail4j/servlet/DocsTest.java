package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testing.TestCollector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The repository's Markdown kept true: every relative link resolves to a file (and its anchor to
 * a heading of that file), every code block says its language, and the README's quick starts
 * work as written: the plain-Java one compiles against the library, and the web.xml one deploys
 * on embedded Jetty 12 and sends a page view to a loopback collector. (The Spring Boot quick start
 * is compiled by the starter's tests, which have Spring on their class path.)
 */
class DocsTest {

    /** Folders that hold build output or tooling, not the project's documentation. */
    private static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", "node_modules", ".idea", ".mvn");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})(.*)$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern LINK = Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");

    @TempDir
    Path temp;

    // The repository and its Markdown.

    /** The repository's root: the first folder upward with the README and the core module. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("core"))
                    && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root (README.md, core/, docs/) above " + Path.of("").toAbsolutePath());
    }

    static List<Path> markdownFiles() throws IOException {
        Path root = root();
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                return !dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                        ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (file.getFileName().toString().endsWith(".md")) {
                    files.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    /** A fenced code block: the line it opens on (1-based), its info string and its text. */
    record Block(int line, String info, String text) {
        String language() {
            return info.isBlank() ? "" : info.trim().split("\\s+")[0];
        }
    }

    /** A Markdown file read once: its lines outside code blocks, its code blocks, its headings. */
    static final class Page {
        final Path file;
        final List<Block> blocks = new ArrayList<>();
        /** Lines outside code blocks, by 1-based number. */
        final Map<Integer, String> prose = new java.util.TreeMap<>();
        final List<String> headings = new ArrayList<>();
        String unclosedFence;

        Page(Path file) throws IOException {
            this.file = file;
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String fence = null;
            int opened = 0;
            String info = null;
            StringBuilder text = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher m = FENCE.matcher(line);
                if (fence == null) {
                    if (m.matches() && !(m.group(1).charAt(0) == '`' && m.group(2).contains("`"))) {
                        fence = m.group(1);
                        opened = i + 1;
                        info = m.group(2);
                        text = new StringBuilder();
                        continue;
                    }
                    prose.put(i + 1, line);
                    Matcher h = HEADING.matcher(line);
                    if (h.matches()) {
                        headings.add(h.group(2));
                    }
                } else if (m.matches() && m.group(1).charAt(0) == fence.charAt(0)
                        && m.group(1).length() >= fence.length() && m.group(2).isBlank()) {
                    blocks.add(new Block(opened, info, text.toString()));
                    fence = null;
                } else {
                    text.append(line).append('\n');
                }
            }
            if (fence != null) {
                unclosedFence = file + ":" + opened;
            }
        }

        /**
         * The prose by paragraph (lines joined by a space, keyed by the first line's number), so
         * that a link whose text or target wraps onto the next line is still found.
         */
        Map<Integer, String> paragraphs() {
            Map<Integer, String> paragraphs = new java.util.TreeMap<>();
            int first = -1;
            int previous = -2;
            StringBuilder text = new StringBuilder();
            for (Map.Entry<Integer, String> line : prose.entrySet()) {
                boolean blank = line.getValue().isBlank();
                if (blank || line.getKey() != previous + 1) {
                    if (first > 0) {
                        paragraphs.put(first, text.toString());
                    }
                    first = -1;
                    text.setLength(0);
                }
                if (!blank) {
                    if (first < 0) {
                        first = line.getKey();
                    } else {
                        text.append(' ');
                    }
                    text.append(line.getValue().strip());
                }
                previous = line.getKey();
            }
            if (first > 0) {
                paragraphs.put(first, text.toString());
            }
            return paragraphs;
        }

        /** The anchors GitHub gives this page's headings, duplicates numbered as GitHub does. */
        Set<String> anchors() {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String heading : headings) {
                String slug = slug(heading);
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
            return anchors;
        }

        /** The text of a section: from its heading to the next heading of the same or a higher level. */
        String section(String heading) throws IOException {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            int level = heading.indexOf(' ');
            int start = lines.indexOf(heading);
            assertTrue(start >= 0, file + ": no heading " + heading);
            assertEquals(start, lines.lastIndexOf(heading), file + ": two headings " + heading);
            int end = start + 1;
            boolean inBlock = false;
            for (; end < lines.size(); end++) {
                String line = lines.get(end);
                if (FENCE.matcher(line).matches()) {
                    inBlock = !inBlock;
                }
                Matcher h = HEADING.matcher(line);
                if (!inBlock && h.matches() && h.group(1).length() <= level) {
                    break;
                }
            }
            return String.join("\n", lines.subList(start, end)) + "\n";
        }

        /** The first code block of a section, in the given language. */
        Block firstBlock(String heading, String language) throws IOException {
            String section = section(heading);
            return blocks.stream().filter(b -> b.language().equals(language) && section.contains(b.text()))
                    .findFirst().orElseThrow(() -> new AssertionError(file + ", " + heading + ": no " + language + " block"));
        }
    }

    /** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link: its text
                .replace("`", "");
        StringBuilder b = new StringBuilder();
        for (int cp : (Iterable<Integer>) text.toLowerCase(Locale.ROOT).codePoints()::iterator) {
            if (Character.isLetterOrDigit(cp) || cp == '-' || cp == '_') {
                b.appendCodePoint(cp);
            } else if (cp == ' ') {
                b.append('-');
            }
        }
        return b.toString();
    }

    static Page readme() throws IOException {
        return new Page(root().resolve("README.md"));
    }

    // Links and code blocks.

    @Test
    void slug_isGitHubs() {
        assertEquals("quick-start-webxml", slug("Quick start: web.xml"));
        assertEquals("several-nodes-conversions-in-the-shops-database", slug("Several nodes: conversions in the shop's database"));
        assertEquals("helloretailenabledfalse", slug("`helloretail.enabled=false`"));
        assertEquals("b1-latency-at-shop-load-500-and-2000-requestss", slug("B1: latency at shop load (500 and 2,000 requests/s)"));
        assertEquals("the-servlet-filter", slug("The [servlet filter](docs/servlet-filter.md)"));
    }

    @Test
    void markdownFiles_areFoundBeyondTheRootAndNotInBuildOutput() throws IOException {
        Path root = root();
        List<String> files = markdownFiles().stream().map(f -> root.relativize(f).toString().replace('\\', '/')).toList();
        for (String expected : List.of("README.md", "docs/servlet-filter.md", "javax/README.md", "benchmarks/README.md")) {
            assertTrue(files.contains(expected), expected + " not in " + files);
        }
        assertEquals(List.of(), files.stream().filter(f -> f.contains("target/")).toList());
    }

    @Test
    void everyRelativeLink_resolvesToAFileAndItsAnchorToAHeading() throws IOException {
        Path root = root();
        Map<Path, Page> pages = new HashMap<>();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : markdownFiles()) {
            Page page = pages.computeIfAbsent(file, DocsTest::read);
            for (Map.Entry<Integer, String> line : page.paragraphs().entrySet()) {
                Matcher link = LINK.matcher(INLINE_CODE.matcher(line.getValue()).replaceAll("``"));
                while (link.find()) {
                    String target = link.group(2);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue; // https:, mailto: ... : not a file of the repository
                    }
                    checked++;
                    String where = root.relativize(file) + ":" + line.getKey() + ": " + link.group();
                    int hash = target.indexOf('#');
                    String path = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                    if (!resolved.startsWith(root)) {
                        broken.add(where + " (outside the repository)");
                    } else if (!Files.exists(resolved)) {
                        broken.add(where + " (no such file: " + root.relativize(resolved) + ")");
                    } else if (anchor != null) {
                        if (!resolved.toString().endsWith(".md")) {
                            broken.add(where + " (an anchor into a file that is not Markdown)");
                        } else if (!pages.computeIfAbsent(resolved, DocsTest::read).anchors().contains(anchor)) {
                            broken.add(where + " (no heading #" + anchor + " in " + root.relativize(resolved) + ")");
                        }
                    }
                }
            }
        }
        assertTrue(checked > 50, "only " + checked + " relative links found: is the link pattern right?");
        assertEquals("", String.join("\n", broken));
    }

    @Test
    void everyCodeBlock_saysItsLanguage_andIsClosed() throws IOException {
        Path root = root();
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path file : markdownFiles()) {
            Page page = read(file);
            if (page.unclosedFence != null) {
                problems.add(root.relativize(file) + ": a code block opened at line " + page.unclosedFence + " is never closed");
            }
            for (Block block : page.blocks) {
                blocks++;
                if (block.language().isEmpty()) {
                    problems.add(root.relativize(file) + ":" + block.line() + ": a code block without a language");
                }
            }
        }
        assertTrue(blocks > 30, "only " + blocks + " code blocks found");
        assertEquals("", String.join("\n", problems));
    }

    @Test
    void readme_testAndDemoCommands_areWhereCiReadsThem() throws IOException {
        // .ci/run runs the first line of the first code block after "## Test"
        Page readme = readme();
        assertEquals("mvn -B install", readme.firstBlock("## Test", "bash").text().lines().findFirst().orElseThrow());
        assertEquals("mvn -q -B install -DskipTests -pl demo-webapp -am && mvn -q -B -f demo-webapp compile exec:exec",
                readme.firstBlock("## Run the demo", "bash").text().lines().findFirst().orElseThrow());
        List<String> lines = Files.readAllLines(root().resolve("README.md"));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("## Test")).count(),
                "one heading that starts with ## Test, or .ci/run may pick the wrong one");
    }

    // The quick starts.

    @Test
    void readme_plainJavaQuickStart_compilesAgainstTheLibrary() throws IOException {
        Block block = readme().firstBlock("## Quick start: plain Java", "java");
        assertEquals("", compile(block.text(), temp.resolve("classes")));
    }

    @Test
    void compile_aSnippetThatIsWrong_fails() throws IOException {
        // the check above can fail: a snippet that calls a method the tracker does not have
        String broken = "public class Broken { void f(io.github.helloretail4j.HelloRetailTracker t) { t.trackPageViews(); } }";
        assertTrue(compile(broken, temp.resolve("broken")).contains("trackPageViews"));
    }

    /** Compiles one Java source against the test class path; the errors, or "" when it compiled. */
    static String compile(String source, Path out) throws IOException {
        Matcher name = Pattern.compile("public\\s+(?:final\\s+)?class\\s+(\\w+)").matcher(source);
        assertTrue(name.find(), "the snippet declares no public class:\n" + source);
        Path src = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src")).resolve(name.group(1) + ".java");
        Files.writeString(src, source);
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: run the tests on a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // Surefire may start the JVM with a manifest-only jar; it names the real class path here.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", classPath, "-d", out.toString(), "--release", "17", "-proc:none"),
                    null, files.getJavaFileObjects(src)).call();
            String errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n"));
            assertEquals(ok, errors.isEmpty(), errors);
            return errors;
        }
    }

    @Test
    void readme_webXmlQuickStart_deploysOnJettyAndSendsTheSecondPageView() throws Exception {
        String webXml = readme().firstBlock("## Quick start: web.xml", "xml").text();
        Path outbox = temp.resolve("outbox");
        try (TestCollector collector = TestCollector.start()) {
            // As written, but for the two values a test must change: where conversions wait, and
            // the collector (Hello Retail's address is the default). A servlet stands for the shop.
            Document doc = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(webXml.getBytes(StandardCharsets.UTF_8)));
            Element app = doc.getDocumentElement();
            assertEquals("web-app", app.getLocalName());
            assertEquals(WEBSITE_UUID, contextParam(doc, "helloretail.websiteUuid"));
            setContextParam(doc, "helloretail.outboxDirectory", outbox.toString());
            assertEquals(null, contextParam(doc, "helloretail.endpoint"));
            addContextParam(doc, "helloretail.endpoint", collector.endpoint().toString());
            String ns = app.getNamespaceURI();
            Element servlet = (Element) app.appendChild(doc.createElementNS(ns, "servlet"));
            servlet.appendChild(doc.createElementNS(ns, "servlet-name")).setTextContent("shop");
            servlet.appendChild(doc.createElementNS(ns, "servlet-class")).setTextContent(ShopServlet.class.getName());
            Element mapping = (Element) app.appendChild(doc.createElementNS(ns, "servlet-mapping"));
            mapping.appendChild(doc.createElementNS(ns, "servlet-name")).setTextContent("shop");
            mapping.appendChild(doc.createElementNS(ns, "url-pattern")).setTextContent("/");
            Path dir = Files.createDirectories(temp.resolve("webapp/WEB-INF"));
            StringWriter xml = new StringWriter();
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.INDENT, "yes");
            transformer.transform(new DOMSource(doc), new StreamResult(xml));
            Files.writeString(dir.resolve("web.xml"), xml.toString());

            try (LogCapture log = new LogCapture();
                 Containers.Container jetty = Containers.Kind.JETTY.start();
                 Containers.Deployment shop = jetty.deploy(dir.getParent(), "/quickstart")) {
                // the first page: no hello_retail_id yet (the script sets it in the browser), not tracked
                assertEquals(200, RawHttp.get(jetty.port(), "/quickstart/products/sh-100").status());
                // the second page: the cookie is there
                assertEquals(200, RawHttp.get(jetty.port(), "/quickstart/products/sh-101",
                        "Cookie: hello_retail_id=" + ID).status());
                collector.awaitRequests(PAGEVIEW, 1);
                ObjectName bean = new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\""
                        + WebTracking.trackerName("/quickstart") + "\"");
                Await.until("the tracker to have no page view pending",
                        () -> (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "PageViewsPending"),
                        pending -> pending == 0);
                List<JsonNode> views = collector.accepted(PAGEVIEW);
                assertEquals(1, views.size(), views.toString());
                JsonNode expected = new ObjectMapper().readTree("{\"websiteUuid\":\"" + WEBSITE_UUID + "\","
                        + "\"trackingUserId\":\"" + ID + "\","
                        + "\"location\":\"http://127.0.0.1:" + jetty.port() + "/quickstart/products/sh-101\","
                        + "\"productNumber\":\"sh-101\"}");
                assertEquals(expected, views.get(0));
                assertEquals(1L, ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "PageViewsWithoutVisitorId"));
                shop.close();

                // what the README says the log holds: one start line, the untracked first page, nothing above INFO
                String lines = log.text();
                assertTrue(lines.contains("INFO io.github.helloretail4j.filter - Hello Retail tracking for "), lines);
                assertTrue(lines.contains("INFO io.github.helloretail4j.filter - a page view was not tracked: the"
                        + " visitor has no hello_retail_id cookie yet"), lines);
                List<String> loud = lines.lines().filter(l -> l.matches(".*\\b(WARN|ERROR) io\\.github\\.helloretail4j.*")).toList();
                assertEquals(List.of(), loud);
            }
        }
    }

    private static String contextParam(Document doc, String name) {
        Element value = contextParamValue(doc, name);
        return value == null ? null : value.getTextContent().trim();
    }

    private static void setContextParam(Document doc, String name, String value) {
        Element element = contextParamValue(doc, name);
        assertNotNull(element, "the quick start's web.xml has no context-param " + name);
        element.setTextContent(value);
    }

    private static Element contextParamValue(Document doc, String name) {
        NodeList params = doc.getDocumentElement().getElementsByTagNameNS("*", "context-param");
        for (int i = 0; i < params.getLength(); i++) {
            Element param = (Element) params.item(i);
            if (name.equals(param.getElementsByTagNameNS("*", "param-name").item(0).getTextContent().trim())) {
                return (Element) param.getElementsByTagNameNS("*", "param-value").item(0);
            }
        }
        return null;
    }

    private static void addContextParam(Document doc, String name, String value) {
        Element app = doc.getDocumentElement();
        String ns = app.getNamespaceURI();
        Element param = doc.createElementNS(ns, "context-param");
        param.appendChild(doc.createElementNS(ns, "param-name")).setTextContent(name);
        param.appendChild(doc.createElementNS(ns, "param-value")).setTextContent(value);
        app.insertBefore(param, app.getFirstChild());
    }

    private static Page read(Path file) {
        try {
            return new Page(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
