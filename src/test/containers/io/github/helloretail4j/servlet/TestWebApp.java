package io.github.helloretail4j.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes a web application directory whose web.xml configures the filter as the README shows. */
final class TestWebApp {

    private final Map<String, String> contextParams = new LinkedHashMap<>();
    private final Map<String, String> filterParams = new LinkedHashMap<>();
    private boolean declareFilter = true;
    private boolean fragmentJar;
    private boolean selfContained;
    private String dispatchers = "<dispatcher>REQUEST</dispatcher><dispatcher>FORWARD</dispatcher>"
            + "<dispatcher>INCLUDE</dispatcher><dispatcher>ERROR</dispatcher><dispatcher>ASYNC</dispatcher>";

    TestWebApp contextParam(String name, String value) {
        contextParams.put(name, value);
        return this;
    }

    TestWebApp filterParam(String name, String value) {
        filterParams.put(name, value);
        return this;
    }

    /** No filter in web.xml: the setup of a shop relying on the jar's web-fragment.xml. */
    TestWebApp withoutFilter() {
        declareFilter = false;
        return this;
    }

    /** Puts the library's web-fragment.xml into WEB-INF/lib as a jar, as the real jar would be. */
    TestWebApp withFragmentJar() {
        fragmentJar = true;
        return this;
    }

    /**
     * The library and its dependencies in WEB-INF/lib and the test servlets in WEB-INF/classes,
     * as in a real WAR: the application's own class loader loads them, so a test can check that
     * it is collected after undeploy. Deploy it child-first.
     */
    TestWebApp selfContained() {
        selfContained = true;
        return this;
    }

    TestWebApp requestDispatchOnly() {
        dispatchers = "<dispatcher>REQUEST</dispatcher>";
        return this;
    }

    Path write(Path dir) throws IOException {
        try {
            return writeFiles(dir);
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private Path writeFiles(Path dir) throws IOException, java.net.URISyntaxException {
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
        // The same web.xml on every generation; only its schema header is the container's own.
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append(Containers.WEB_APP_START).append('\n');
        contextParams.forEach((k, v) -> xml.append("  <context-param><param-name>").append(k)
                .append("</param-name><param-value>").append(escape(v)).append("</param-value></context-param>\n"));
        if (declareFilter) {
            xml.append("  <filter><filter-name>probe</filter-name>"
                    + "<filter-class>io.github.helloretail4j.servlet.ExceptionProbeFilter</filter-class>"
                    + "<async-supported>true</async-supported></filter>\n"
                    + "  <filter-mapping><filter-name>probe</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n");
            xml.append("  <filter><filter-name>helloretail</filter-name>\n")
                    .append("    <filter-class>io.github.helloretail4j.servlet.PageViewFilter</filter-class>\n")
                    .append("    <async-supported>true</async-supported>\n");
            filterParams.forEach((k, v) -> xml.append("    <init-param><param-name>").append(k)
                    .append("</param-name><param-value>").append(escape(v)).append("</param-value></init-param>\n"));
            xml.append("  </filter>\n  <filter-mapping><filter-name>helloretail</filter-name>")
                    .append("<url-pattern>/*</url-pattern>").append(dispatchers).append("</filter-mapping>\n");
        }
        xml.append("""
                  <servlet><servlet-name>shop</servlet-name>
                    <servlet-class>io.github.helloretail4j.servlet.ShopServlet</servlet-class>
                    <async-supported>true</async-supported></servlet>
                  <servlet-mapping><servlet-name>shop</servlet-name><url-pattern>/</url-pattern></servlet-mapping>
                </web-app>
                """);
        Files.writeString(webInf.resolve("web.xml"), xml);
        if (selfContained) {
            Path lib = Files.createDirectories(webInf.resolve("lib"));
            Path libraryClasses = Path.of(io.github.helloretail4j.HelloRetailTracker.class.getProtectionDomain()
                    .getCodeSource().getLocation().toURI().getPath());
            jarDirectory(libraryClasses, lib.resolve("helloretail4j.jar"));
            for (Class<?> c : List.of(com.fasterxml.jackson.databind.ObjectMapper.class,
                    com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.annotation.JsonProperty.class,
                    org.apache.hc.client5.http.impl.classic.HttpClients.class, org.apache.hc.core5.http.HttpHost.class,
                    org.apache.hc.core5.http2.HttpVersionPolicy.class, org.slf4j.LoggerFactory.class)) {
                Path jar = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
            Path classes = webInf.resolve("classes");
            for (Class<?> c : List.of(ShopServlet.class, ExceptionProbeFilter.class)) {
                String file = c.getName().replace('.', '/') + ".class";
                Path target = classes.resolve(file);
                Files.createDirectories(target.getParent());
                try (var in = c.getClassLoader().getResourceAsStream(file)) {
                    Files.copy(in, target);
                }
            }
        }
        if (fragmentJar) {
            Path lib = Files.createDirectories(webInf.resolve("lib"));
            try (OutputStream file = Files.newOutputStream(lib.resolve("helloretail4j.jar"));
                 JarOutputStream jar = new JarOutputStream(file)) {
                jar.putNextEntry(new JarEntry("META-INF/web-fragment.xml"));
                try (var in = TestWebApp.class.getResourceAsStream("/META-INF/web-fragment.xml")) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return dir;
    }

    private static void jarDirectory(Path dir, Path jarFile) throws IOException {
        try (OutputStream file = Files.newOutputStream(jarFile); JarOutputStream jar = new JarOutputStream(file);
             var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                jar.putNextEntry(new JarEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
    }

    private static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
