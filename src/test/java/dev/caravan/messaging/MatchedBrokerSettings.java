package dev.caravan.messaging;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.server.JournalType;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The storage settings of the gateway's embedded broker as it actually runs (broker.xml after Caravan's
 * placeholders and {@code EmbeddedBrokerConfiguration}'s adjustments, read from the live
 * {@link Configuration}), and the native acceptor's parameters, written into the broker.xml of a
 * standalone Artemis instance so the two brokers journal and flow-control AMQP alike. Values the
 * embedded broker leaves unset ({@code null}) remove the element from the standalone file, so Artemis'
 * own default applies on both sides.
 *
 * @param core       broker.xml {@code <core>} element name to value ({@code null}: remove it)
 * @param acceptor   the native acceptor's URL parameters (protocols, AMQP credits, large-message sizes...)
 */
record MatchedBrokerSettings(Map<String, String> core, Map<String, String> acceptor) {

    private static final String CORE_NS = "urn:activemq:core";

    static MatchedBrokerSettings of(Configuration c) {
        boolean aio = c.getJournalType() == JournalType.ASYNCIO;
        Map<String, String> core = new LinkedHashMap<>();
        core.put("persistence-enabled", String.valueOf(c.isPersistenceEnabled()));
        core.put("journal-type", c.getJournalType().name());
        core.put("journal-datasync", String.valueOf(c.isJournalDatasync()));
        core.put("journal-sync-transactional", String.valueOf(c.isJournalSyncTransactional()));
        core.put("journal-sync-non-transactional", String.valueOf(c.isJournalSyncNonTransactional()));
        core.put("journal-buffer-timeout", String.valueOf(aio ? c.getJournalBufferTimeout_AIO() : c.getJournalBufferTimeout_NIO()));
        core.put("journal-buffer-size", String.valueOf(aio ? c.getJournalBufferSize_AIO() : c.getJournalBufferSize_NIO()));
        core.put("journal-max-io", String.valueOf(aio ? c.getJournalMaxIO_AIO() : c.getJournalMaxIO_NIO()));
        core.put("journal-file-size", String.valueOf(c.getJournalFileSize()));
        core.put("journal-min-files", String.valueOf(c.getJournalMinFiles()));
        core.put("journal-pool-files", String.valueOf(c.getJournalPoolFiles()));
        core.put("journal-compact-min-files", String.valueOf(c.getJournalCompactMinFiles()));
        core.put("journal-compact-percentage", String.valueOf(c.getJournalCompactPercentage()));
        core.put("journal-device-block-size", c.getJournalDeviceBlockSize() == null ? null : String.valueOf(c.getJournalDeviceBlockSize()));
        core.put("page-sync-timeout", String.valueOf(c.getPageSyncTimeout()));
        core.put("max-disk-usage", String.valueOf(c.getMaxDiskUsage()));
        core.put("id-cache-size", String.valueOf(c.getIDCacheSize()));
        core.put("persist-id-cache", String.valueOf(c.isPersistIDCache()));
        TransportConfiguration nativeAcceptor = c.getAcceptorConfigurations().stream()
                .filter(a -> "native".equals(a.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the embedded broker has no native acceptor (caravan.messaging.acceptor.enabled=false?)"));
        Map<String, String> acceptor = new TreeMap<>();
        nativeAcceptor.getCombinedParams().forEach((k, v) -> acceptor.put(k, String.valueOf(v)));
        acceptor.keySet().removeAll(List.of("host", "port", "scheme"));   // the URL's own parts, set by acceptorUrl
        return new MatchedBrokerSettings(core, acceptor);
    }

    /** The standalone acceptor's URL: the embedded acceptor's parameters on the given loopback port. */
    String acceptorUrl(int port) {
        StringBuilder url = new StringBuilder("tcp://127.0.0.1:").append(port);
        char separator = '?';
        for (Map.Entry<String, String> e : acceptor.entrySet()) {
            url.append(separator).append(e.getKey()).append('=').append(e.getValue());
            separator = ';';
        }
        return url.toString();
    }

    /**
     * Rewrites a broker.xml made by {@code artemis create}: every matched {@code <core>} element set (or
     * added, or removed where the embedded broker leaves it unset), and the acceptors replaced by one
     * named "native" on {@code port}. Artemis' schema takes {@code <core>}'s children in any order.
     */
    String apply(String brokerXml, int port) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(brokerXml)));
        NodeList cores = doc.getElementsByTagNameNS(CORE_NS, "core");
        if (cores.getLength() != 1) {
            throw new IllegalArgumentException("broker.xml has " + cores.getLength() + " <core> elements, expected 1");
        }
        Element coreElement = (Element) cores.item(0);
        for (Map.Entry<String, String> e : core.entrySet()) {
            for (Element old : children(coreElement, e.getKey())) {
                coreElement.removeChild(old);
            }
            if (e.getValue() != null) {
                Element set = doc.createElementNS(CORE_NS, e.getKey());
                set.setTextContent(e.getValue());
                coreElement.appendChild(set);
            }
        }
        for (Element old : children(coreElement, "acceptors")) {
            coreElement.removeChild(old);
        }
        Element acceptors = doc.createElementNS(CORE_NS, "acceptors");
        Element one = doc.createElementNS(CORE_NS, "acceptor");
        one.setAttribute("name", "native");
        one.setTextContent(acceptorUrl(port));
        acceptors.appendChild(one);
        coreElement.appendChild(acceptors);
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.INDENT, "yes");
        StringWriter out = new StringWriter();
        transformer.transform(new DOMSource(doc), new StreamResult(out));
        return out.toString();
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> found = new java.util.ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element el && localName.equals(el.getLocalName())) {
                found.add(el);
            }
        }
        return found;
    }

    /** One line per setting, for the benchmark's report. */
    String describe() {
        StringBuilder s = new StringBuilder();
        core.forEach((k, v) -> s.append("  ").append(k).append(" = ").append(v == null ? "(unset: Artemis default on both)" : v).append('\n'));
        s.append("  acceptor parameters = ").append(acceptor).append('\n');
        return s.toString();
    }
}
