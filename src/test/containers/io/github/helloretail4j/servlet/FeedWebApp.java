package io.github.helloretail4j.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Writes a web application directory with the order feed alone: registered in code by
 * {@code OrderFeedTestListener}, or declared in web.xml with init-params as a shop without
 * code of its own for it would.
 */
final class FeedWebApp {

    private final Map<String, String> contextParams = new LinkedHashMap<>();
    private final Map<String, String> initParams = new LinkedHashMap<>();
    private boolean declared;
    private boolean listener = true;
    private boolean fragmentJar;

    /** The feed registered by the test listener, serving {@link TestOrderSources#current}. */
    static FeedWebApp registered() {
        return new FeedWebApp();
    }

    /** {@code OrderFeedServlet} in web.xml with these init-params, loaded on start-up. */
    static FeedWebApp declared(Map<String, String> initParams) {
        FeedWebApp app = new FeedWebApp();
        app.declared = true;
        app.initParams.putAll(initParams);
        return app;
    }

    /**
     * No servlet and no listener of the test's: the feed comes from the context-params alone,
     * through the library's web-fragment.xml, which a jar in WEB-INF/lib brings as the real one would.
     */
    static FeedWebApp fromContextParams() {
        FeedWebApp app = new FeedWebApp();
        app.listener = false;
        app.fragmentJar = true;
        return app;
    }

    /** The library's web-fragment.xml in WEB-INF/lib too, beside a servlet declared in web.xml. */
    FeedWebApp withFragmentJar() {
        fragmentJar = true;
        return this;
    }

    FeedWebApp contextParam(String name, String value) {
        contextParams.put(name, value);
        return this;
    }

    Path write(Path dir) throws IOException {
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append(Containers.WEB_APP_START).append('\n');
        contextParams.forEach((k, v) -> xml.append("  <context-param><param-name>").append(k)
                .append("</param-name><param-value>").append(escape(v)).append("</param-value></context-param>\n"));
        if (declared) {
            xml.append("  <servlet><servlet-name>helloretail-orderfeed</servlet-name>\n")
                    .append("    <servlet-class>io.github.helloretail4j.servlet.OrderFeedServlet</servlet-class>\n");
            initParams.forEach((k, v) -> xml.append("    <init-param><param-name>").append(k)
                    .append("</param-name><param-value>").append(escape(v)).append("</param-value></init-param>\n"));
            xml.append("    <load-on-startup>1</load-on-startup>\n  </servlet>\n")
                    .append("  <servlet-mapping><servlet-name>helloretail-orderfeed</servlet-name>")
                    .append("<url-pattern>/helloretail/orderfeed</url-pattern></servlet-mapping>\n");
        } else if (listener) {
            xml.append("  <listener><listener-class>io.github.helloretail4j.servlet.OrderFeedTestListener"
                    + "</listener-class></listener>\n");
        }
        xml.append("</web-app>\n");
        Files.writeString(webInf.resolve("web.xml"), xml);
        if (fragmentJar) {
            Path lib = Files.createDirectories(webInf.resolve("lib"));
            try (OutputStream file = Files.newOutputStream(lib.resolve("helloretail4j.jar"));
                 JarOutputStream jar = new JarOutputStream(file)) {
                jar.putNextEntry(new JarEntry("META-INF/web-fragment.xml"));
                try (var in = FeedWebApp.class.getResourceAsStream("/META-INF/web-fragment.xml")) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return dir;
    }

    private static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
