package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.HelloRetailTracker;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the javax jar holds (target/classes, which the jar plugin packs as it is): no reference
 * to {@code jakarta} anywhere, and a servlet layer that is the Jakarta one but for the package.
 */
class JavaxJarTest {

    private static Path classes() throws Exception {
        return Path.of(HelloRetailTracker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void classFiles_constantPools_referNoJakarta() throws Exception {
        Path root = classes();
        List<String> found = new ArrayList<>();
        int classFiles = 0;
        boolean sawJavaxFilter = false;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString();
                if (name.endsWith(".class")) {
                    classFiles++;
                    for (String constant : utf8Constants(f)) {
                        if (constant.contains("jakarta")) {
                            found.add(name + ": " + constant);
                        }
                        sawJavaxFilter |= constant.equals("javax/servlet/Filter");
                    }
                } else if (Files.readString(f, StandardCharsets.ISO_8859_1).contains("jakarta")) {
                    found.add(name);
                }
            }
        }
        assertEquals(List.of(), found);
        // the scan read real constant pools: the filter's interface is among them
        assertTrue(sawJavaxFilter, "javax/servlet/Filter not found in any constant pool");
        assertTrue(classFiles > 40, classFiles + " class files");
    }

    @Test
    void servletPackage_publicTypes_areThePublicFace() throws Exception {
        TreeSet<String> publicTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes().resolve("io/github/helloretail4j/servlet"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(".class") && !file.contains("$")) {
                    Class<?> c = Class.forName("io.github.helloretail4j.servlet." + file.replace(".class", ""));
                    if (Modifier.isPublic(c.getModifiers())) {
                        publicTypes.add(c.getSimpleName());
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(List.of("HelloRetailListener", "HelloRetailWeb", "OrderFeedServlet", "PageViewFilter")),
                publicTypes);
        assertTrue(javax.servlet.Filter.class.isAssignableFrom(PageViewFilter.class));
        assertTrue(javax.servlet.ServletContextListener.class.isAssignableFrom(HelloRetailListener.class));
    }

    /** The CONSTANT_Utf8 entries of a class file's constant pool (JVMS 4.4). */
    static List<String> utf8Constants(Path classFile) throws IOException {
        List<String> utf8 = new ArrayList<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            data.readUnsignedShort();
            data.readUnsignedShort();
            int count = data.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8.add(data.readUTF());
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 -> {
                        data.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at " + i);
                }
            }
        }
        return utf8;
    }
}
