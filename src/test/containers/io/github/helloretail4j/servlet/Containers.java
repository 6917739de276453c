package io.github.helloretail4j.servlet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.loader.WebappLoader;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * Embedded Jetty and Tomcat on a loopback port, deploying web application directories: the
 * container suite's fixture, for both generations. This file is compiled as it is for Jetty 12 and
 * Tomcat 11, and with jakarta.servlet replaced by javax.servlet for Jetty 10 and Tomcat 9 (the
 * javax build). Tomcat's embedding API is the same in 9 and 11, so its container is here; Jetty's
 * is not, so each generation has its {@link Generation} (../jakarta, javax/src/test/java) with
 * its Jetty, its web.xml header and what its Jetty refuses.
 */
final class Containers {

    /** The opening tag of a web.xml for this generation. */
    static final String WEB_APP_START = Generation.WEB_APP_START;

    private Containers() {
    }

    enum Kind {
        JETTY, TOMCAT;

        Container start() throws Exception {
            return this == JETTY ? Generation.jetty() : new TomcatContainer();
        }

        /** True when this container answers 400 to a request whose path has this (percent-encoded) segment. */
        boolean refusesPathSegment(String segment) {
            return this == JETTY && Generation.jettyRefusesPathSegment(segment);
        }
    }

    /** What a test deploys on each container: the web application's directory for that kind. */
    interface App {
        Path write(Kind kind) throws Exception;
    }

    /**
     * One container of each kind, started together for a test class and closed together, with
     * what was deployed on each of them for the whole class.
     */
    static final class EachKind implements AutoCloseable {
        private final Map<Kind, Container> started = new EnumMap<>(Kind.class);
        private final List<Deployment> deployed = new ArrayList<>();

        EachKind() throws Exception {
            try {
                for (Kind kind : Kind.values()) {
                    started.put(kind, kind.start());
                }
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        Container get(Kind kind) {
            return started.get(kind);
        }

        /** Deploys {@code app} at {@code contextPath} on each container, until the close. */
        EachKind deployOnEach(App app, String contextPath) throws Exception {
            for (Map.Entry<Kind, Container> e : started.entrySet()) {
                deployed.add(e.getValue().deploy(app.write(e.getKey()), contextPath));
            }
            return this;
        }

        @Override
        public void close() throws Exception {
            for (Deployment d : deployed) {
                d.close();
            }
            for (Container c : started.values()) {
                c.close();
            }
        }
    }

    interface Container extends AutoCloseable {
        int port();

        /** Deploys {@code dir} at {@code contextPath} ("" for root); throws with the cause when it fails. */
        default Deployment deploy(Path dir, String contextPath) throws Exception {
            return deploy(dir, contextPath, false);
        }

        /** With {@code childFirst}, WEB-INF/lib and WEB-INF/classes win over the test classpath. */
        Deployment deploy(Path dir, String contextPath, boolean childFirst) throws Exception;

        @Override
        void close() throws Exception;
    }

    interface Deployment extends AutoCloseable {
        /** The web application's class loader. */
        default ClassLoader classLoader() {
            return null;
        }

        @Override
        void close() throws Exception;
    }

    /** A deployment that did not start; the message holds every cause the container reported. */
    static final class DeploymentFailed extends Exception {
        DeploymentFailed(String message) {
            super(message);
        }
    }

    static final class TomcatContainer implements Container {
        private final Tomcat tomcat = new Tomcat();
        private final Path baseDir = Files.createTempDirectory("tomcat");
        private final List<String> errors = new ArrayList<>();
        private final Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getThrown() != null) {
                    synchronized (errors) {
                        errors.add(causes(record.getThrown()));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        private final Logger catalina = Logger.getLogger("org.apache.catalina");

        TomcatContainer() throws Exception {
            this(false);
        }

        /**
         * With {@code naming}, Tomcat's JNDI ({@code java:comp/env}) as a shop's server.xml has it,
         * for resources a deployment declares ({@link #deploy(Path, String, java.util.function.Consumer)}).
         * Tomcat.enableNaming() sets the JVM-wide {@code java.naming.*} system properties: the
         * tests that use it own their container.
         */
        TomcatContainer(boolean naming) throws Exception {
            if (naming) {
                tomcat.enableNaming();
            }
            tomcat.setBaseDir(baseDir.toString());
            tomcat.setHostname("127.0.0.1");
            tomcat.setPort(0);
            tomcat.getConnector().setProperty("address", "127.0.0.1");
            tomcat.getHost().setAutoDeploy(false);
            catalina.addHandler(capture);
            tomcat.start();
        }

        @Override
        public int port() {
            return tomcat.getConnector().getLocalPort();
        }

        @Override
        public Deployment deploy(Path dir, String contextPath, boolean childFirst) throws Exception {
            return deploy(dir, contextPath, childFirst, c -> { });
        }

        /** Deploys with {@code configure} run on the context first (its JNDI resources, as a context.xml would). */
        Deployment deploy(Path dir, String contextPath, java.util.function.Consumer<StandardContext> configure)
                throws Exception {
            return deploy(dir, contextPath, false, configure);
        }

        private Deployment deploy(Path dir, String contextPath, boolean childFirst,
                                  java.util.function.Consumer<StandardContext> configure) throws Exception {
            synchronized (errors) {
                errors.clear();
            }
            StandardContext context = new StandardContext();
            context.setName(contextPath);
            context.setPath(contextPath);
            context.setDocBase(dir.toString());
            ContextConfig config = new ContextConfig();
            config.setDefaultWebXml(Constants.NoDefaultWebXml);
            context.addLifecycleListener(config);
            context.setParentClassLoader(Containers.class.getClassLoader());
            WebappLoader loader = new WebappLoader();
            loader.setDelegate(!childFirst);
            context.setLoader(loader);
            StandardJarScanner scanner = new StandardJarScanner();
            scanner.setScanClassPath(false); // only WEB-INF/lib, as in a real deployment
            context.setJarScanner(scanner);
            configure.accept(context);
            try {
                tomcat.getHost().addChild(context);
            } catch (RuntimeException e) {
                throw new DeploymentFailed(causes(e) + "; " + errors());
            }
            if (context.getState() != LifecycleState.STARTED) {
                tomcat.getHost().removeChild(context);
                throw new DeploymentFailed(errors());
            }
            java.lang.ref.WeakReference<ClassLoader> classLoader =
                    new java.lang.ref.WeakReference<>(context.getLoader().getClassLoader());
            return new Deployment() {
                @Override
                public ClassLoader classLoader() {
                    return classLoader.get();
                }

                @Override
                public void close() {
                    tomcat.getHost().removeChild(context);
                }
            };
        }

        private String errors() {
            synchronized (errors) {
                return String.join("; ", errors);
            }
        }

        @Override
        public void close() throws Exception {
            catalina.removeHandler(capture);
            tomcat.stop();
            tomcat.destroy();
        }
    }

    /** Every message in the cause chain, so a test can find the one that names the parameter. */
    static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" <- ");
        }
        return b.toString();
    }
}
