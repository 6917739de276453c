package io.github.helloretail4j.servlet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@link Containers} needs of the javax generation that the Jakarta one has otherwise:
 * Jetty 10, the Servlet 3.1 web.xml header, and no path escape refused (neither Jetty 10 nor
 * Tomcat 9 refuses the escapes Jetty 12 does). The Jakarta build has a class of this name of its
 * own (Jetty 12).
 */
final class Generation {

    /** The opening tag of a web.xml for Servlet 3.1. */
    static final String WEB_APP_START = "<web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\" version=\"3.1\">";

    private Generation() {
    }

    static Containers.Container jetty() throws Exception {
        return new JettyContainer();
    }

    /** Jetty 10 refuses none of the escapes Jetty 12 does. */
    static boolean jettyRefusesPathSegment(String segment) {
        return false;
    }

    /**
     * Jetty 10, loaded from target/jetty10 in a class loader of its own (see the pom: Jetty 12,
     * which the test collector runs on, has classes of the same names on the class path) and
     * driven by reflection, the few calls a deployment needs. Everything but Jetty comes from
     * the test class path: javax.servlet (Tomcat 9's), the library, the test shop.
     */
    static final class JettyContainer implements Containers.Container {
        private static final ClassLoader JETTY = jettyLoader();
        private final Object server;
        private final Object connector;
        private final Object contexts;

        JettyContainer() throws Exception {
            server = jetty("org.eclipse.jetty.server.Server");
            connector = newInstance(JETTY.loadClass("org.eclipse.jetty.server.ServerConnector"), server);
            call(connector, "setHost", "127.0.0.1");
            call(connector, "setPort", 0);
            call(server, "addConnector", connector);
            contexts = jetty("org.eclipse.jetty.server.handler.ContextHandlerCollection");
            call(server, "setHandler", contexts);
            withJetty(() -> call(server, "start"));
        }

        @Override
        public int port() {
            try {
                return (Integer) call(connector, "getLocalPort");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Containers.Deployment deploy(Path dir, String contextPath, boolean childFirst) throws Exception {
            Object webapp = jetty("org.eclipse.jetty.webapp.WebAppContext");
            call(webapp, "setContextPath", contextPath.isEmpty() ? "/" : contextPath);
            call(webapp, "setResourceBase", dir.toString());
            call(webapp, "setParentLoaderPriority", !childFirst);
            call(webapp, "setThrowUnavailableOnStartupException", true);
            call(contexts, "addHandler", webapp);
            try {
                withJetty(() -> call(webapp, "start"));
            } catch (Exception e) {
                call(contexts, "removeHandler", webapp);
                withJetty(() -> call(webapp, "stop"));
                throw new Containers.DeploymentFailed(Containers.causes(e));
            }
            java.lang.ref.WeakReference<ClassLoader> loader =
                    new java.lang.ref.WeakReference<>((ClassLoader) call(webapp, "getClassLoader"));
            return new Containers.Deployment() {
                @Override
                public ClassLoader classLoader() {
                    return loader.get();
                }

                @Override
                public void close() throws Exception {
                    withJetty(() -> call(webapp, "stop"));
                    call(contexts, "removeHandler", webapp);
                    call(webapp, "destroy");
                }
            };
        }

        @Override
        public void close() throws Exception {
            withJetty(() -> call(server, "stop"));
        }

        private static ClassLoader jettyLoader() {
            try (var jars = Files.list(Path.of(System.getProperty("helloretail4j.jetty10", "target/jetty10")))) {
                java.net.URL[] urls = jars.filter(p -> p.toString().endsWith(".jar")).map(p -> {
                    try {
                        return p.toUri().toURL();
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                }).toArray(java.net.URL[]::new);
                return new java.net.URLClassLoader("jetty10", urls, Generation.class.getClassLoader()) {
                    @Override
                    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                        if (!name.startsWith("org.eclipse.jetty.")) {
                            return super.loadClass(name, resolve);
                        }
                        // Jetty's own classes from the Jetty 10 jars, never from the class path's Jetty 12.
                        synchronized (getClassLoadingLock(name)) {
                            Class<?> c = findLoadedClass(name);
                            if (c == null) {
                                c = findClass(name);
                            }
                            if (resolve) {
                                resolveClass(c);
                            }
                            return c;
                        }
                    }

                    @Override
                    public java.net.URL getResource(String name) {
                        // Jetty's service files and schemas from its own jars first, as its classes.
                        java.net.URL own = findResource(name);
                        return own != null ? own : super.getResource(name);
                    }

                    @Override
                    public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
                        return name.startsWith("META-INF/services/org.eclipse.jetty") ? findResources(name)
                                : super.getResources(name);
                    }
                };
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Jetty 10 is copied to target/jetty10 by the build (mvn -f javax test)", e);
            }
        }

        interface JettyCall {
            void run() throws Exception;
        }

        /** Jetty finds its configurations through the context class loader (ServiceLoader). */
        private static void withJetty(JettyCall call) throws Exception {
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(JETTY);
            try {
                call.run();
            } finally {
                t.setContextClassLoader(before);
            }
        }

        private static Object jetty(String className) throws Exception {
            return JETTY.loadClass(className).getConstructor().newInstance();
        }

        private static Object newInstance(Class<?> type, Object... args) throws Exception {
            for (var c : type.getConstructors()) {
                if (accepts(c.getParameterTypes(), args)) {
                    return c.newInstance(args);
                }
            }
            throw new NoSuchMethodException(type.getName() + " constructor for " + java.util.Arrays.toString(args));
        }

        /** Calls the public method {@code name} that takes {@code args}; an exception it threw is rethrown as it is. */
        private static Object call(Object target, String name, Object... args) throws Exception {
            for (var m : target.getClass().getMethods()) {
                if (m.getName().equals(name) && accepts(m.getParameterTypes(), args)) {
                    try {
                        return m.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        if (e.getCause() instanceof Exception cause) {
                            throw cause;
                        }
                        throw e;
                    }
                }
            }
            throw new NoSuchMethodException(target.getClass().getName() + "." + name);
        }

        private static boolean accepts(Class<?>[] types, Object[] args) {
            if (types.length != args.length) {
                return false;
            }
            for (int i = 0; i < types.length; i++) {
                Class<?> t = types[i] == int.class ? Integer.class : types[i] == boolean.class ? Boolean.class : types[i];
                if (args[i] != null && !t.isInstance(args[i])) {
                    return false;
                }
            }
            return true;
        }
    }

}
