package io.github.helloretail4j.servlet;

import io.github.helloretail4j.testing.HostileStrings;
import net.jqwik.api.*;

class ScratchTimingTest {
    @Provide Arbitrary<String> a() { return HostileStrings.strings(); }
    @Provide Arbitrary<String> b() { return HostileStrings.shortStrings(); }
    @Property(tries = 10_000) void genStrings(@ForAll("a") String s) { }
    @Property(tries = 10_000) void genShort(@ForAll("b") String s) { }
    @Property(tries = 10_000) void genTwo(@ForAll("a") String s, @ForAll("a") String t) { }
    @Property(tries = 10_000, edgeCases = EdgeCasesMode.NONE) void genTwoNoEdge(@ForAll("a") String s, @ForAll("a") String t) { }
    @Property(tries = 10_000) void percentDecode(@ForAll("a") String s) { PageViewRules.percentDecode(s); }
}
