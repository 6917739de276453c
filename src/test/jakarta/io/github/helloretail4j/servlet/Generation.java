package io.github.helloretail4j.servlet;

import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * What {@link Containers} needs of this generation that the javax one has otherwise: Jetty 12
 * (ee10), the Jakarta web.xml header, and the path escapes Jetty 12 refuses. The javax build has
 * a class of this name of its own (Jetty 10).
 */
final class Generation {

    /** The opening tag of a web.xml for Jakarta Servlet 6. */
    static final String WEB_APP_START = "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\">";

    /** Escapes Jetty 12 refuses in a path segment before any ';' (400): C0 controls, DEL and '%' itself. */
    private static final java.util.regex.Pattern JETTY_REFUSES = java.util.regex.Pattern.compile("%(?:[01][0-9A-Fa-f]|7[Ff]|25)");

    private Generation() {
    }

    static Containers.Container jetty() throws Exception {
        return new JettyContainer();
    }

    /** True when Jetty answers 400 to a request whose path has this (percent-encoded) segment. */
    static boolean jettyRefusesPathSegment(String segment) {
        return JETTY_REFUSES.matcher(segment).find();
    }

    static final class JettyContainer implements Containers.Container {
        private final Server server = new Server();
        private final ContextHandlerCollection contexts = new ContextHandlerCollection();

        JettyContainer() throws Exception {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(contexts);
            server.start();
        }

        @Override
        public int port() {
            return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        }

        @Override
        public Containers.Deployment deploy(Path dir, String contextPath, boolean childFirst) throws Exception {
            WebAppContext webapp = new WebAppContext();
            webapp.setContextPath(contextPath.isEmpty() ? "/" : contextPath);
            webapp.setBaseResourceAsPath(dir);
            webapp.setParentLoaderPriority(!childFirst);
            webapp.setThrowUnavailableOnStartupException(true);
            contexts.addHandler(webapp);
            try {
                webapp.start();
            } catch (Exception e) {
                contexts.removeHandler(webapp);
                webapp.stop();
                throw new Containers.DeploymentFailed(Containers.causes(e));
            }
            java.lang.ref.WeakReference<ClassLoader> loader = new java.lang.ref.WeakReference<>(webapp.getClassLoader());
            return new Containers.Deployment() {
                @Override
                public ClassLoader classLoader() {
                    return loader.get();
                }

                @Override
                public void close() throws Exception {
                    webapp.stop();
                    contexts.removeHandler(webapp);
                    webapp.destroy();
                }
            };
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }

}
