package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.helloretail4j.HelloRetailTracker;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the starter's jar holds: its public face, its registrations, defaults that match the core's. */
class StarterJarTest {

    private static final Path CLASSES = Path.of("target/classes");

    @Test
    void jar_publicTypes_areThePublicFaceAndTheBridge() throws Exception {
        List<String> publicTypes;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            publicTypes = files.map(p -> CLASSES.relativize(p).toString())
                    .filter(n -> n.endsWith(".class"))
                    .map(n -> n.replace('/', '.').replace(".class", ""))
                    .filter(n -> {
                        try {
                            for (Class<?> c = Class.forName(n); c != null; c = c.getEnclosingClass()) {
                                if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
                                    return false;
                                }
                            }
                            return true;
                        } catch (ClassNotFoundException | NoClassDefFoundError e) {
                            throw new AssertionError(n, e);
                        }
                    }).sorted().toList();
        }
        assertEquals(List.of(
                // not API: the starter's way into the servlet layer's package-private setup
                "io.github.helloretail4j.servlet.SpringBootBridge",
                "io.github.helloretail4j.servlet.SpringBootBridge$Checked",
                "io.github.helloretail4j.spring.boot.HelloRetailAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailHealthAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailHealthContributorAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailProperties",
                "io.github.helloretail4j.spring.boot.HelloRetailProperties$Health",
                "io.github.helloretail4j.spring.boot.HelloRetailTrackerCustomizer"), publicTypes);
    }

    @Test
    void registrations_listTheAutoConfigurationsAndFailureAnalyzers() throws IOException {
        assertEquals("io.github.helloretail4j.spring.boot.HelloRetailAutoConfiguration\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailHealthAutoConfiguration\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailHealthContributorAutoConfiguration\n",
                resource("/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"));
        assertEquals("org.springframework.boot.diagnostics.FailureAnalyzer=\\\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailFailureAnalyzer,\\\n"
                        + "io.github.helloretail4j.spring.boot.UnknownPropertyFailureAnalyzer\n",
                resource("/META-INF/spring.factories"));
    }

    @Test
    void propertyDefaults_areTheTrackersDefaults() {
        // written as literals so that the configuration processor puts them in the metadata
        HelloRetailProperties defaults = new HelloRetailProperties();
        assertEquals(HelloRetailTracker.DEFAULT_ENDPOINT.toString(), defaults.getEndpoint());
        assertEquals(HelloRetailTracker.DEFAULT_SENDER_THREADS, defaults.getSenderThreads());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = StarterJarTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
