package ipclab.grader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What a lab compiles against: the dependencies its own {@code pom.xml} declares (the support code,
 * junixsocket, Chronicle Queue…) with everything those need, as its Maven module compiles; never the
 * grader's own libraries (JUnit, JLine, picocli) nor the grader's classes. A lab that compiles when
 * graded therefore compiles as its own module too, and the other way round.
 *
 * <p>The grader cannot ask Maven (a lab may be graded on a machine with no network, from a tree whose
 * lab modules were never built), so its build writes its own dependency tree, every path included
 * ({@code dependency:tree -Dverbose}, the resource {@code ipclab/grader/dependency-tree.json}): every
 * library a lab may declare is one of the grader's, and the tree says what each one needs.
 */
final class LabClassPath {

    private static final String TREE = "/ipclab/grader/dependency-tree.json";
    private static final String SUPPORT = "org.ipclab:support";
    /** A pom larger than this is not a pom a course hands out. */
    private static final long MAX_POM_BYTES = 1 << 20;

    /** "group:artifact" → every "group:artifact" it needs, itself included. */
    private final Map<String, Set<String>> needs;
    private final List<Path> libraries;
    private final List<Path> staged;
    private final Path supportClasses;
    /** What the support code brings along: its own pom's dependencies, read once. */
    private final Set<String> supportDependencies;

    /**
     * @param libraries      the grader's class path, where Maven keeps each jar
     * @param staged         the copies of the same entries, in the same order, that the class path names
     * @param supportClasses the support code's classes alone
     * @param supportPom     the support module's pom, whose dependencies every lab's use of support brings
     */
    LabClassPath(List<Path> libraries, List<Path> staged, Path supportClasses, Path supportPom) throws IOException {
        this.libraries = libraries;
        this.staged = staged;
        this.supportClasses = supportClasses;
        this.supportDependencies = declaredDependencies(supportPom);
        this.needs = readTree();
    }

    /** The class path for the lab in {@code labFolder}: its declared dependencies; the support code alone when it has no pom. */
    List<Path> of(Path labFolder) throws IOException {
        Path pom = labFolder.resolve("pom.xml");
        Set<String> declared = Files.exists(pom, LinkOption.NOFOLLOW_LINKS) ? declaredDependencies(pom) : Set.of(SUPPORT);
        Set<String> artifacts = new LinkedHashSet<>();
        List<Path> classpath = new ArrayList<>();
        for (String dependency : declared) {
            if (dependency.equals(SUPPORT)) {
                classpath.add(supportClasses);
                supportDependencies.forEach(d -> artifacts.addAll(withWhatItNeeds(d)));
            } else {
                artifacts.addAll(withWhatItNeeds(dependency));
            }
        }
        for (int i = 0; i < libraries.size(); i++) {
            Path library = libraries.get(i);
            if (artifacts.stream().anyMatch(a -> isArtifact(library, a))) {
                classpath.add(staged.get(i));
            }
        }
        return classpath;
    }

    /** The artifact and everything it needs; the artifact alone when the grader's tree does not have it. */
    private Set<String> withWhatItNeeds(String artifact) {
        return needs.getOrDefault(artifact, Set.of(artifact));
    }

    /** Whether {@code jar} lies where a Maven repository keeps "group:artifact": {@code …/group/as/folders/artifact/version/}. */
    static boolean isArtifact(Path jar, String groupArtifact) {
        int colon = groupArtifact.indexOf(':');
        Path version = jar.getParent();
        Path artifact = version == null ? null : version.getParent();
        return colon > 0 && artifact != null && artifact.getParent() != null
                && artifact.getFileName().toString().equals(groupArtifact.substring(colon + 1))
                && artifact.getParent().endsWith(groupArtifact.substring(0, colon).replace('.', '/'));
    }

    /** The compile-time dependencies a pom declares (test scope left out), as "group:artifact". */
    static Set<String> declaredDependencies(Path pom) throws IOException {
        // The pom is the student's file: read it without following a link, bounded, and with no DTD,
        // so no external entity can make the grader read another file.
        if (!Files.isRegularFile(pom, LinkOption.NOFOLLOW_LINKS) || Files.size(pom) > MAX_POM_BYTES) {
            throw new IOException(pom + " is not a regular file of at most 1 MiB");
        }
        try (InputStream in = Files.newInputStream(pom, LinkOption.NOFOLLOW_LINKS)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            var parser = factory.newDocumentBuilder();
            parser.setErrorHandler(new DefaultHandler()); // throws what is fatal instead of printing it too
            Element project = parser.parse(in).getDocumentElement();
            Set<String> declared = new LinkedHashSet<>();
            for (Element dependencies : children(project, "dependencies")) {
                for (Element dependency : children(dependencies, "dependency")) {
                    if (!text(dependency, "scope").equals("test")) {
                        declared.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId"));
                    }
                }
            }
            return declared;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(pom + " cannot be read as a pom: " + e.getMessage(), e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? "" : found.getFirst().getTextContent().strip();
    }

    private static Map<String, Set<String>> readTree() throws IOException {
        try (InputStream in = LabClassPath.class.getResourceAsStream(TREE)) {
            if (in == null) {
                throw new IOException("the resource " + TREE + " is missing: build the grader with Maven");
            }
            Map<String, Set<String>> needs = new HashMap<>();
            collect(new ObjectMapper().readTree(in), needs);
            return needs;
        }
    }

    /** Adds what {@code node} needs to the map, and returns it: itself and, below it, every child's needs. */
    private static Set<String> collect(JsonNode node, Map<String, Set<String>> needs) {
        String id = node.path("groupId").asText() + ":" + node.path("artifactId").asText();
        Set<String> all = new LinkedHashSet<>();
        all.add(id);
        for (JsonNode child : node.path("children")) {
            String scope = child.path("scope").asText();
            if (!scope.equals("test") && !child.path("optional").asBoolean(false)) {
                all.addAll(collect(child, needs));
            }
        }
        needs.computeIfAbsent(id, k -> new LinkedHashSet<>()).addAll(all);
        return all;
    }
}
