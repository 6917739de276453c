package io.github.helloretail4j.demo.collector;

import static io.github.helloretail4j.demo.html.Html.html;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.demo.collector.CollectorLog.Kind;
import io.github.helloretail4j.demo.collector.CollectorLog.Received;
import io.github.helloretail4j.demo.html.Html;
import io.github.helloretail4j.demo.html.Html.Safe;
import io.github.helloretail4j.demo.shop.Layout;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /collector}: what the stand-in collector received, live, and the tracker's counters.
 * {@code /collector/live} is the page's changing part, fetched by the page every 2 seconds;
 * {@code /collector/events.json} is the same as JSON, for {@code curl}.
 *
 * <p>The page is the shop's back office, not a page a shopper sees, so it asks the filter not
 * to track it with the {@code helloretail.skip} request attribute. (Its refreshes are
 * {@code fetch()} calls, which the filter does not count anyway.)
 */
public final class CollectorPageServlet extends HttpServlet {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int MAX_ROWS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setAttribute(PageViewFilter.ATTRIBUTE_SKIP, Boolean.TRUE);
        String info = request.getPathInfo();
        if (info == null) {
            page(request, response);
        } else if (info.equals("/live")) {
            response.setContentType("text/html;charset=UTF-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(live(request).markup());
        } else if (info.equals("/events.json")) {
            json(request, response);
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void page(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String ctx = request.getContextPath();
        Layout.write(request, response, HttpServletResponse.SC_OK, "Collector", null, html("""
                <div class="collector">
                <h1>Hello Retail collector <span class="live-dot" title="refreshes every 2 seconds"></span></h1>
                <p class="lead">Everything the shop sent to Hello Retail, newest first. Browse the shop in
                  another tab and watch it arrive; this page refreshes every 2 seconds.
                  As JSON: <a href="%s/collector/events.json">events.json</a>.</p>
                <p>Hello Retail also fetches the shop's orders: the
                  <a id="order-feed" href="%s/helloretail/orderfeed">order feed</a>
                  (user <code>helloretail</code>, password <code>demo-feed-password</code> unless
                  <code>HELLORETAIL_ORDER_FEED_PASSWORD</code> sets another; the last three days,
                  <code>?daysBack=30</code> for more).</p>
                <div id="live">%s</div>
                </div>
                <script>
                  setInterval(async () => {
                    try {
                      const r = await fetch('%s/collector/live', {cache: 'no-store'});
                      if (r.ok) document.getElementById('live').innerHTML = await r.text();
                    } catch (e) { /* the demo was stopped; try again in 2 s */ }
                  }, 2000);
                </script>
                <noscript><p>Reload the page to see new events.</p></noscript>
                """, ctx, ctx, live(request), ctx), true);
    }

    /** The part of the page that changes. */
    private Safe live(HttpServletRequest request) {
        HelloRetailTracker tracker = HelloRetailWeb.tracker(getServletContext());
        CollectorLog log = CollectorLog.of(getServletContext());
        List<Received> all = log.all();
        return html("""
                %s
                <h2>Tracker counters <small>HelloRetailWeb.tracker(context).metrics()</small></h2>
                %s
                <h2>Conversions <small>%s received</small></h2>
                %s
                <h2>Carts <small>%s received</small></h2>
                %s
                <h2>Page views <small>%s received</small></h2>
                %s
                <h2>Other requests</h2>
                %s
                <p class="muted updated">Updated %s</p>
                """, configuration(request, tracker), counters(tracker.metrics()),
                log.total(Kind.CONVERSION), conversions(newestFirst(all, Kind.CONVERSION)),
                log.total(Kind.CART), carts(newestFirst(all, Kind.CART)),
                log.total(Kind.PAGE_VIEW), pageViews(newestFirst(all, Kind.PAGE_VIEW)),
                others(log, all), TIME.format(java.time.Instant.now()));
    }

    /** Where the events go, and where that setting came from. */
    private Safe configuration(HttpServletRequest request, HelloRetailTracker tracker) {
        URI endpoint = tracker.endpoint();
        boolean standIn = isThisStandIn(endpoint, request);
        String uuid = tracker.websiteUuid();
        Safe where = standIn
                ? html("<p class=\"ok\">Sending to <strong>this demo's stand-in collector</strong> at "
                        + "<code id=\"endpoint\">%s</code> (%s). Everything sent is listed below.</p>",
                        endpoint, source("helloretail.endpoint", "HELLORETAIL_ENDPOINT"))
                : html("<p class=\"warn\">Sending to <code id=\"endpoint\">%s</code> (%s), not to this demo's "
                        + "stand-in: the lists below stay empty; the tracker's counters show how delivery "
                        + "went.</p>", endpoint, source("helloretail.endpoint", "HELLORETAIL_ENDPOINT"));
        Safe website = html("<p>Website UUID <code id=\"website-uuid\">%s</code> (%s)%s</p>", uuid,
                source("helloretail.websiteUuid", "HELLORETAIL_WEBSITE_UUID"),
                standIn && !StandInCollectorServlet.DEMO_WEBSITE_UUID.equals(uuid)
                        ? html(": the stand-in knows only the demo's %s and answers 400 \"Website not found\"",
                                StandInCollectorServlet.DEMO_WEBSITE_UUID)
                        : Html.EMPTY);
        return html("<section class=\"panel config\">%s%s</section>", where, website);
    }

    /** True when {@code endpoint} is this application's own {@code /serve/} on this server. */
    private static boolean isThisStandIn(URI endpoint, HttpServletRequest request) {
        if (!(request.getContextPath() + "/serve/").equals(endpoint.getPath())
                || endpoint.getPort() != request.getLocalPort() || endpoint.getHost() == null) {
            return false;
        }
        try {
            InetAddress host = InetAddress.getByName(endpoint.getHost().replaceAll("^\\[|]$", ""));
            return host.isLoopbackAddress() || host.equals(InetAddress.getByName(request.getLocalAddr()));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Which of the library's sources gave a setting, in its order of precedence. */
    private String source(String parameter, String environmentVariable) {
        if (notBlank(System.getProperty(parameter))) {
            return "from the system property " + parameter;
        }
        if (notBlank(System.getenv(environmentVariable))) {
            return "from the environment variable " + environmentVariable;
        }
        if (notBlank(getServletContext().getInitParameter(parameter))) {
            return "from the context-param " + parameter;
        }
        return "the default";
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static Safe counters(TrackerMetrics m) {
        return html("""
                <table class="data counters" id="counters">
                  <thead><tr><th></th><th>tracked</th><th>delivered</th><th>not tracked</th><th>rejected</th>
                    <th>dropped</th><th>failed</th><th>abandoned</th><th>duplicates</th><th>superseded</th>
                    <th>retries</th><th>pending</th></tr></thead>
                  <tbody>%s%s%s</tbody>
                </table>
                """, countRow("Page views", m.pageViews()), countRow("Conversions", m.conversions()),
                countRow("Carts", m.carts()));
    }

    private static Safe countRow(String label, TrackerMetrics.Counts c) {
        return html("<tr><th>%s</th><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                        + "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", label, c.tracked(), c.delivered(),
                c.notTracked(), c.rejected(), c.dropped(), c.failed(), c.abandoned(), c.duplicates(), c.superseded(),
                c.retries(), c.pending());
    }

    private static Safe conversions(List<Received> received) {
        if (received.isEmpty()) {
            return html("<p class=\"empty\">None yet: place an order in the shop.</p>");
        }
        return html("""
                <table class="data" id="conversions">
                  <thead><tr><th>time</th><th>answer</th><th>orderNumber</th><th>total</th><th>productNumbers / urls</th>
                    <th>lines (products)</th><th>email</th><th>customerId</th><th>trackingUserId</th><th>websiteUuid</th></tr></thead>
                  <tbody>%s</tbody>
                </table>
                """, Html.each(received, r -> html("""
                <tr><td>%s</td>%s<td><strong>%s</strong></td><td>%s</td><td>%s</td><td class="lines">%s</td><td>%s</td><td>%s</td>
                  <td><code>%s</code></td><td>%s</td></tr>
                """, TIME.format(r.at()), answer(r), r.text("orderNumber"),
                r.decimal("total") == null ? r.text("total") : r.decimal("total").toPlainString(),
                String.join(", ", r.list("productNumbers").isEmpty() ? r.list("urls") : r.list("productNumbers")),
                String.join("; ", r.lines()), r.text("email"), r.text("customerId"), r.text("trackingUserId"), uuid(r.text("websiteUuid")))));
    }

    private static Safe carts(List<Received> received) {
        if (received.isEmpty()) {
            return html("<p class=\"empty\">None yet: add something to the cart in the shop.</p>");
        }
        return html("""
                <table class="data" id="carts">
                  <thead><tr><th>time</th><th>answer</th><th>total</th><th>productNumbers / urls</th><th>url</th>
                    <th>email</th><th>trackingUserId</th><th>websiteUuid</th></tr></thead>
                  <tbody>%s</tbody>
                </table>
                """, Html.each(received, r -> html("""
                <tr><td>%s</td>%s<td><strong>%s</strong></td><td>%s</td><td class="url">%s</td><td>%s</td>
                  <td><code>%s</code></td><td>%s</td></tr>
                """, TIME.format(r.at()), answer(r),
                r.decimal("total") == null ? r.text("total") : r.decimal("total").toPlainString(),
                r.list("productNumbers").isEmpty() && r.list("urls").isEmpty() ? "(empty)"
                        : String.join(", ", r.list("productNumbers").isEmpty() ? r.list("urls") : r.list("productNumbers")),
                r.text("url"), r.text("email"), r.text("trackingUserId"), uuid(r.text("websiteUuid")))));
    }

    private static Safe pageViews(List<Received> received) {
        if (received.isEmpty()) {
            return html("<p class=\"empty\">None yet: open the shop in another tab.</p>");
        }
        return html("""
                <table class="data" id="page-views">
                  <thead><tr><th>time</th><th>answer</th><th>location</th><th>referrer</th><th>productNumber</th>
                    <th>url</th><th>trackingUserId</th><th>websiteUuid</th></tr></thead>
                  <tbody>%s</tbody>
                </table>
                """, Html.each(received, r -> html("""
                <tr><td>%s</td>%s<td class="url">%s</td><td class="url">%s</td><td><strong>%s</strong></td>
                  <td class="url">%s</td><td><code>%s</code></td><td>%s</td></tr>
                """, TIME.format(r.at()), answer(r), r.text("location"), r.text("referrer"),
                r.text("productNumber"), r.text("url"), r.text("trackingUserId"), uuid(r.text("websiteUuid")))));
    }

    private static Safe others(CollectorLog log, List<Received> all) {
        List<Received> ids = newestFirst(all, Kind.TRACKING_USER);
        List<Received> rest = new ArrayList<>();
        for (Received r : all) {
            if (r.kind() == Kind.OTHER
                    || (!r.accepted() && (r.kind() == Kind.TRACKING_USER))) {
                rest.add(0, r);
            }
        }
        Safe idList = ids.isEmpty() ? Html.EMPTY : html(": newest <code>%s</code>", ids.get(0).message());
        Safe restTable = rest.isEmpty() ? Html.EMPTY : html("""
                <table class="data"><thead><tr><th>time</th><th>request</th><th>answer</th></tr></thead>
                <tbody>%s</tbody></table>
                """, Html.each(rest.subList(0, Math.min(MAX_ROWS, rest.size())), r -> html(
                "<tr><td>%s</td><td><code>%s %s</code></td>%s</tr>", TIME.format(r.at()), r.method(), r.path(),
                answer(r))));
        return html("""
                <p>Tracking users created for visitors without an id (<code>POST /serve/trackingUser</code>,
                  as <code>helloretail.createTrackingUser=true</code> asks): <strong id="tracking-users">%s</strong>%s.
                  The filter keeps a few in stock, so a shop's very first visitor is not tracked on their first
                  page (no id was ready yet) but is from the next page on.</p>
                %s
                """, log.total(Kind.TRACKING_USER), idList, restTable);
    }

    /** The website UUID, shortened to its first group; the whole of it on hover. */
    private static Safe uuid(String uuid) {
        if (uuid == null) {
            return Html.EMPTY;
        }
        String shortened = uuid.length() > 9 ? uuid.substring(0, 8) + "…" : uuid;
        return html("<code class=\"uuid\" title=\"%s\">%s</code>", uuid, shortened);
    }

    private static Safe answer(Received r) {
        return html("<td class=\"%s\">%s %s</td>", r.accepted() ? "answer-ok" : "answer-bad", r.status(),
                r.message());
    }

    private static List<Received> newestFirst(List<Received> all, Kind kind) {
        List<Received> list = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && list.size() < MAX_ROWS; i--) {
            if (all.get(i).kind() == kind) {
                list.add(all.get(i));
            }
        }
        return list;
    }

    private void json(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HelloRetailTracker tracker = HelloRetailWeb.tracker(getServletContext());
        ObjectNode root = JSON.createObjectNode();
        root.put("endpoint", tracker.endpoint().toString());
        root.put("websiteUuid", tracker.websiteUuid());
        root.set("metrics", JSON.valueToTree(tracker.metrics()));
        ArrayNode received = root.putArray("received");
        for (Received r : CollectorLog.of(getServletContext()).all()) {
            ObjectNode n = received.addObject();
            n.put("sequence", r.sequence());
            n.put("time", r.at().toString());
            n.put("path", r.path());
            n.put("status", r.status());
            n.put("message", r.message());
            n.set("body", r.body());
        }
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        JSON.writerWithDefaultPrettyPrinter().writeValue(response.getWriter(), root);
    }
}
