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
 *
 * <p>A lab may build on another lab of the course (lab 11 on lab 10's cluster): its pom then declares
 * {@code org.ipclab:lab10-cluster}, the earlier lab's folder name, or {@code lab10-cluster-solution},
 * the artifactId of the solution's module. Either way it means the folder of that name <em>beside the
 * lab</em>, in the tree being graded: a student's lab 11 builds on the same student's lab 10, a solution
 * on the solution. It brings that lab's classes, compiled first, and whatever that lab's own pom
 * declares, as Maven's compile scope does. The pom is the student's file: a name that is not a lab
 * beside it, a file named by {@code <systemPath>}, or labs that build on each other are refused.
 */
final class LabClassPath {

    private static final String TREE = "/ipclab/grader/dependency-tree.json";
    private static final String SUPPORT = "org.ipclab:support";
    /** The course's own group: the support code and the labs. */
    private static final String COURSE = "org.ipclab:";
    /** The artifactId of a lab's solution module: its folder's name and this. */
    private static final String SOLUTION_SUFFIX = "-solution";
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
        try {
            this.supportDependencies = declaredDependencies(supportPom);
        } catch (Refused e) {
            throw new IOException("the support module's pom is not what the grader expects: " + e.getMessage(), e);
        }
        this.needs = readTree();
    }

    /** A lab's pom names something the grader does not compile against, with what and why. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * What a lab compiles against.
     *
     * @param earlierLabs the folders of the labs it builds on, directly or through another, each after
     *                    the labs it builds on itself: the order to compile them in
     * @param libraries   the support classes and the staged copies of the libraries they all declare,
     *                    with what those need, in the grader's class-path order
     */
    record Resolved(List<Path> earlierLabs, List<Path> libraries) {
    }

    /**
     * What the lab in {@code labFolder} compiles against: the labs it builds on and the libraries its pom
     * and theirs declare; the support code alone when it has no pom.
     */
    Resolved of(Path labFolder) throws IOException, Refused {
        Set<Path> earlier = new LinkedHashSet<>();
        Set<String> artifacts = new LinkedHashSet<>();
        List<Path> classpath = new ArrayList<>();
        visit(labFolder, new ArrayList<>(), earlier, artifacts);
        earlier.remove(labFolder);
        if (artifacts.remove(SUPPORT)) {
            classpath.add(supportClasses);
            supportDependencies.forEach(d -> artifacts.addAll(withWhatItNeeds(d)));
        }
        for (int i = 0; i < libraries.size(); i++) {
            Path library = libraries.get(i);
            if (artifacts.stream().anyMatch(a -> isArtifact(library, a))) {
                classpath.add(staged.get(i));
            }
        }
        return new Resolved(List.copyOf(earlier), classpath);
    }

    /**
     * Adds to {@code done} the labs {@code lab} builds on, then {@code lab} itself (so each lab comes
     * after those it needs), and to {@code artifacts} every library they declare.
     *
     * @param path the labs being visited, from the one graded down to this one's dependent: meeting one
     *             of them again is a cycle
     */
    private void visit(Path lab, List<Path> path, Set<Path> done, Set<String> artifacts) throws IOException, Refused {
        if (path.contains(lab)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(lab), path.size()).stream().map(LabClassPath::name).toList());
            cycle.add(name(lab));
            throw new Refused(name(path.getFirst()) + " cannot be compiled: its labs build on each other, "
                    + String.join(" → ", cycle) + ". Maven refuses such a cycle too: a lab builds only on labs that do not"
                    + " build on it. Remove one of these dependencies from a pom.xml.");
        }
        if (done.contains(lab)) {
            return;
        }
        path.add(lab);
        Path pom = lab.resolve("pom.xml");
        Set<String> declared = Files.exists(pom, LinkOption.NOFOLLOW_LINKS) ? declaredDependencies(pom) : Set.of(SUPPORT);
        for (String dependency : declared) {
            if (dependency.startsWith(COURSE) && !dependency.equals(SUPPORT)) {
                visit(earlierLab(lab, dependency), path, done, artifacts);
            } else if (dependency.equals(SUPPORT)) {
                artifacts.add(SUPPORT);
            } else {
                artifacts.addAll(withWhatItNeeds(dependency));
            }
        }
        path.removeLast();
        done.add(lab);
    }

    /** The folder beside {@code lab} that the course artifact {@code dependency} names. */
    private static Path earlierLab(Path lab, String dependency) throws Refused {
        String artifactId = dependency.substring(COURSE.length());
        Path tree = lab.getParent();
        for (String folder : artifactId.endsWith(SOLUTION_SUFFIX)
                ? List.of(artifactId, artifactId.substring(0, artifactId.length() - SOLUTION_SUFFIX.length()))
                : List.of(artifactId)) {
            if (LabCatalog.isLabFolderName(folder) && Files.isDirectory(tree.resolve(folder), LinkOption.NOFOLLOW_LINKS)) {
                return tree.resolve(folder);
            }
        }
        throw new Refused(name(lab) + "'s pom.xml declares " + dependency + ", which is not a lab beside it in "
                + tree.getFileName() + "/: of the course's own artifacts a lab may declare org.ipclab:support and the"
                + " labs of its own tree by their folder's name (org.ipclab:lab10-cluster), nothing else.");
    }

    /** "lab 11" for {@code …/lab11-process-manager}. */
    private static String name(Path lab) {
        String folder = lab.getFileName().toString();
        return LabCatalog.isLabFolderName(folder) ? "lab " + folder.substring(3, 5) : folder;
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
    static Set<String> declaredDependencies(Path pom) throws IOException, Refused {
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
                    if (!children(dependency, "systemPath").isEmpty()) {
                        throw new Refused(pom.getParent().getFileName() + "/pom.xml names a file by <systemPath> ("
                                + text(dependency, "systemPath") + "): a lab compiles against the course's libraries and"
                                + " the labs beside it, never against a file from elsewhere. Remove the <systemPath>.");
                    }
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
