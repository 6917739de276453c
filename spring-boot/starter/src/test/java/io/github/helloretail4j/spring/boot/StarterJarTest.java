package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.HelloRetailTracker;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the starter's jar holds: its public face, its registrations, defaults that match the
 * core's, and no class in a package of the core's jar (a split package, which the module system
 * refuses and which reaches package-private code by being there).
 */
class StarterJarTest {

    private static final Path CLASSES = Path.of("target/classes");

    @Test
    void jar_publicTypes_areThePublicFace() throws Exception {
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
                "io.github.helloretail4j.spring.boot.HelloRetailAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailEventsAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailHealthAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailHealthContributorAutoConfiguration",
                "io.github.helloretail4j.spring.boot.HelloRetailProperties",
                "io.github.helloretail4j.spring.boot.HelloRetailProperties$Health",
                "io.github.helloretail4j.spring.boot.HelloRetailProperties$OrderFeed",
                "io.github.helloretail4j.spring.boot.HelloRetailTrackerCustomizer"), publicTypes);
    }

    @Test
    void registrations_listTheAutoConfigurationsAndFailureAnalyzers() throws IOException {
        assertEquals("io.github.helloretail4j.spring.boot.HelloRetailAutoConfiguration\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailHealthAutoConfiguration\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailHealthContributorAutoConfiguration\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailEventsAutoConfiguration\n",
                resource("/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"));
        assertEquals("org.springframework.boot.diagnostics.FailureAnalyzer=\\\n"
                        + "io.github.helloretail4j.spring.boot.HelloRetailFailureAnalyzer,\\\n"
                        + "io.github.helloretail4j.spring.boot.UnknownPropertyFailureAnalyzer\n",
                resource("/META-INF/spring.factories"));
    }

    @Test
    void jar_packages_noneIsAPackageOfTheCoreJar() throws Exception {
        Set<String> starter = packages(CLASSES);
        Path core = Path.of(HelloRetailTracker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> coreJar;
        if (Files.isDirectory(core)) {
            coreJar = packages(core);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(core)) {
                coreJar = packages(jar.getPath("/"));
            }
        }
        // the scan read the real jar: its root and servlet packages are among them
        assertTrue(coreJar.containsAll(List.of("io.github.helloretail4j", "io.github.helloretail4j.servlet")), coreJar.toString());
        assertTrue(starter.contains("io.github.helloretail4j.spring.boot"), starter.toString());
        Set<String> split = new TreeSet<>(starter);
        split.retainAll(coreJar);
        assertEquals(Set.of(), split, "packages of both the starter and " + core.getFileName());
    }

    /** The packages of the class files under {@code root}. */
    private static Set<String> packages(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".class") && p.getParent() != null)
                    .map(p -> root.relativize(p.getParent()).toString().replace('/', '.').replaceAll("\\.$", ""))
                    .filter(p -> !p.isEmpty() && !p.startsWith("META-INF"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void propertyDefaults_areTheTrackersDefaults() {
        // written as literals so that the configuration processor puts them in the metadata
        HelloRetailProperties defaults = new HelloRetailProperties();
        assertEquals(HelloRetailTracker.DEFAULT_ENDPOINT.toString(), defaults.getEndpoint());
        assertEquals(HelloRetailTracker.DEFAULT_MAX_REQUESTS_IN_FLIGHT, defaults.getMaxRequestsInFlight());
        assertEquals(HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT, defaults.getMaxConversionsInFlight());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = StarterJarTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
