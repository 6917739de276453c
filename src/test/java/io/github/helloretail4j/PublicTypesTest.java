package io.github.helloretail4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar's public types are its public face (the README and docs/java-api.md), the few types
 * the fenced {@code internal} package must share with the root and servlet packages, and those
 * of the fenced {@code servlet.internal} package, the Spring Boot starter's way into the servlet
 * layer. A type made public by accident fails here.
 */
class PublicTypesTest {

    @Test
    void jar_publicTypes_areThePublicFaceAndTheFencedInternals() throws Exception {
        assertEquals(List.of(
                        "io.github.helloretail4j.Cart",
                        "io.github.helloretail4j.Cart$Builder",
                        "io.github.helloretail4j.Conversion",
                        "io.github.helloretail4j.Conversion$Builder",
                        "io.github.helloretail4j.ConversionResult",
                        "io.github.helloretail4j.ConversionResult$Status",
                        "io.github.helloretail4j.HelloRetailTracker",
                        "io.github.helloretail4j.HelloRetailTracker$Builder",
                        "io.github.helloretail4j.OrderLine",
                        "io.github.helloretail4j.OrderLine$Builder",
                        "io.github.helloretail4j.PageView",
                        "io.github.helloretail4j.PageView$Builder",
                        "io.github.helloretail4j.TrackerMetrics",
                        "io.github.helloretail4j.TrackerMetrics$Counts",
                        "io.github.helloretail4j.feed.FeedOrder",
                        "io.github.helloretail4j.feed.FeedOrder$Builder",
                        "io.github.helloretail4j.feed.OrderSource",
                        "io.github.helloretail4j.feed.SqlOrderSource",
                        "io.github.helloretail4j.feed.SqlOrderSource$Builder",
                        // not API: what the root and servlet packages reach through the fence
                        "io.github.helloretail4j.internal.CheckedEvents",
                        "io.github.helloretail4j.internal.CheckedEvents$PageViewFactory",
                        "io.github.helloretail4j.internal.Engine",
                        "io.github.helloretail4j.internal.Engine$Config",
                        "io.github.helloretail4j.internal.Engine$Tried",
                        "io.github.helloretail4j.internal.Fields",
                        "io.github.helloretail4j.internal.Ids",
                        "io.github.helloretail4j.internal.Messages",
                        "io.github.helloretail4j.internal.Storage",
                        "io.github.helloretail4j.internal.Storage$AppendFile",
                        "io.github.helloretail4j.internal.TrackerAccess",
                        "io.github.helloretail4j.internal.TrackerMXBean",
                        "io.github.helloretail4j.internal.TrackingUserIds",
                        "io.github.helloretail4j.internal.Urls",
                        "io.github.helloretail4j.servlet.HelloRetailListener",
                        "io.github.helloretail4j.servlet.HelloRetailWeb",
                        "io.github.helloretail4j.servlet.OrderFeedServlet",
                        "io.github.helloretail4j.servlet.OrderFeedServlet$Builder",
                        "io.github.helloretail4j.servlet.PageViewFilter",
                        // not API: what the Spring Boot starter reaches of the servlet layer
                        "io.github.helloretail4j.servlet.internal.FrameworkSettings",
                        "io.github.helloretail4j.servlet.internal.FrameworkSupport",
                        "io.github.helloretail4j.servlet.internal.FrameworkSupport$Layer",
                        "io.github.helloretail4j.servlet.internal.InvalidSettingException",
                        "io.github.helloretail4j.servlet.internal.Setting",
                        "io.github.helloretail4j.servlet.internal.Setting$Builder",
                        "io.github.helloretail4j.servlet.internal.Setting$Context",
                        "io.github.helloretail4j.servlet.internal.Setting$Kind",
                        "io.github.helloretail4j.servlet.internal.Setting$Parser"),
                publicTypes(classesOf(HelloRetailTracker.class)));
    }

    /** The types a user can name: public, and every enclosing type public too. */
    static List<String> publicTypes(Path classes) throws Exception {
        List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> classes.relativize(p).toString().replace('/', '.').replace(".class", ""))
                    .filter(n -> !n.endsWith("module-info") && !n.endsWith("package-info"))
                    .sorted().toList();
        }
        ClassLoader loader = PublicTypesTest.class.getClassLoader();
        return names.stream().filter(n -> {
            try {
                for (Class<?> c = Class.forName(n, false, loader); c != null; c = c.getEnclosingClass()) {
                    if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
                        return false;
                    }
                }
                return true;
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    static Path classesOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
