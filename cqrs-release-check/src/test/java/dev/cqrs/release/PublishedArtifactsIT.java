package dev.cqrs.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What Maven Central requires of every published module, checked on what this build produced: the BOM lists the
 * published jars; each of them, the BOM and the parent carry name, description, url, licenses, scm and developers
 * (their own or inherited from the parent); each jar comes with its sources and Javadoc jars, and holds its module
 * descriptor; and one Javadoc site covers exactly the published packages.
 */
class PublishedArtifactsIT {

  private static final Path ROOT = Path.of(System.getProperty("cqrs.root")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("cqrs.version");
  /** Published jars that are automatic modules, and why: see the test below. */
  private static final List<String> AUTOMATIC = List.of("cqrs-spring-boot-starter");

  static Stream<String> publishedJars() throws Exception {
    Element bom = pom(ROOT.resolve("cqrs-bom/pom.xml"));
    List<String> jars = new ArrayList<>();
    Element management = child(bom, "dependencyManagement").orElseThrow();
    Element dependencies = child(management, "dependencies").orElseThrow();
    for (Node node = dependencies.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element dependency) {
        jars.add(text(dependency, "artifactId").orElseThrow());
      }
    }
    assertThat(jars).contains("cqrs-core", "cqrs-inmemory", "cqrs-test", "cqrs-jackson", "cqrs-jdbc",
        "cqrs-micrometer", "cqrs-spring-boot-starter", "cqrs-query-cache");
    return jars.stream();
  }

  static Stream<String> publishedPoms() throws Exception {
    return Stream.concat(Stream.of("cqrs-bom", "."), publishedJars());
  }

  @ParameterizedTest
  @MethodSource("publishedPoms")
  void every_published_pom_carries_what_maven_central_requires(String module) throws Exception {
    Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
    Element parent = child(pom, "parent").isPresent() ? pom(ROOT.resolve("pom.xml")) : null;
    assertThat(text(pom, "name")).as(module + " name").isPresent();
    assertThat(text(pom, "description")).as(module + " description, its own").isPresent();
    for (String element : List.of("url", "licenses", "scm", "developers")) {
      Optional<Element> found = child(pom, element).or(() -> parent == null ? Optional.empty()
          : child(parent, element));
      assertThat(found).as(module + " " + element).isPresent();
      if (element.equals("licenses")) {
        Element license = child(found.get(), "license").orElseThrow();
        assertThat(text(license, "name")).as(module + " license name").isPresent();
        assertThat(text(license, "url")).as(module + " license url").isPresent();
      }
      if (element.equals("scm")) {
        assertThat(text(found.get(), "url")).as(module + " scm url").isPresent();
        assertThat(text(found.get(), "connection")).as(module + " scm connection").isPresent();
      }
      if (element.equals("developers")) {
        Element developer = child(found.get(), "developer").orElseThrow();
        assertThat(text(developer, "name")).as(module + " developer name").isPresent();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("publishedJars")
  void every_published_jar_has_its_sources_javadoc_and_module_descriptor(String module) throws Exception {
    Path target = ROOT.resolve(module).resolve("target");
    Path jar = target.resolve(module + "-" + VERSION + ".jar");
    Path sources = target.resolve(module + "-" + VERSION + "-sources.jar");
    Path javadoc = target.resolve(module + "-" + VERSION + "-javadoc.jar");
    for (Path file : List.of(jar, sources, javadoc)) {
      assertThat(file).as("built by this build").isRegularFile();
    }
    if (AUTOMATIC.contains(module)) {
      // Spring Boot and Flyway are not Java modules themselves: the starter names its automatic module.
      try (JarFile classes = new JarFile(jar.toFile())) {
        assertThat(classes.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
            .as(module + " automatic module name").isEqualTo("dev.cqrs.spring.boot");
      }
    } else {
      try (JarFile classes = new JarFile(jar.toFile())) {
        assertThat(classes.getEntry("module-info.class")).as(module + " module descriptor").isNotNull();
      }
      try (JarFile source = new JarFile(sources.toFile())) {
        assertThat(source.getEntry("module-info.java")).as(module + " sources").isNotNull();
      }
    }
    try (JarFile docs = new JarFile(javadoc.toFile())) {
      assertThat(docs.getEntry("index.html")).as(module + " Javadoc").isNotNull();
      assertThat(docs.stream().map(e -> e.getName()).filter(n -> n.contains("/internal/")))
          .as(module + " Javadoc leaves the internal packages out").isEmpty();
      if (module.equals("cqrs-inmemory")) {
        // A module's own Javadoc shows what its classes inherit from the core, and links the core's types.
        String page = new String(docs.getInputStream(docs.getEntry("dev/cqrs/inmemory/InMemoryEventStore.html"))
            .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(page).contains("Appends events to a stream, atomically")
            .contains("href=\"https://javadoc.io/doc/dev.cqrs/cqrs-core/" + VERSION + "/dev/cqrs/core/EventStore.html\"");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void one_javadoc_site_covers_the_published_packages_and_nothing_else() throws Exception {
    Path site = ROOT.resolve("cqrs-release-check/target/site/apidocs");
    List<String> packages = Files.readAllLines(site.resolve("element-list"));
    assertThat(packages).containsExactlyInAnyOrder("dev.cqrs.core", "dev.cqrs.core.serialization", "dev.cqrs.core.spi",
        "dev.cqrs.inmemory", "dev.cqrs.jackson", "dev.cqrs.jdbc", "dev.cqrs.jdbc.spi", "dev.cqrs.test",
        "dev.cqrs.test.contract", "dev.cqrs.test.faults", "dev.cqrs.test.postgres", "dev.cqrs.micrometer",
        "dev.cqrs.spring.boot", "dev.cqrs.cache");
    String overview = Files.readString(site.resolve("index.html"));
    assertThat(overview).contains("Vocabulary").contains("Modules");
    // Inherited documentation: the in-memory store's append shows the EventStore contract's text.
    String store = Files.readString(site.resolve("dev/cqrs/inmemory/InMemoryEventStore.html"));
    assertThat(store).contains("Appends events to a stream, atomically");
  }

  /**
   * The core modules keep their dependency lists: the optional integrations (Micrometer, and Spring later) live in
   * their own modules, and a user who does not add them pulls in nothing new.
   */
  @org.junit.jupiter.api.Test
  void the_core_modules_depend_on_nothing_new() throws Exception {
    java.util.Map<String, List<String>> expected = java.util.Map.of(
        "cqrs-core", List.of("org.slf4j:slf4j-api"),
        "cqrs-inmemory", List.of("dev.cqrs:cqrs-core"),
        "cqrs-jackson", List.of("dev.cqrs:cqrs-core", "com.fasterxml.jackson.core:jackson-databind",
            "com.fasterxml.jackson.datatype:jackson-datatype-jsr310",
            "com.fasterxml.jackson.datatype:jackson-datatype-jdk8"),
        "cqrs-jdbc", List.of("dev.cqrs:cqrs-core"),
        "cqrs-test", List.of("dev.cqrs:cqrs-core", "dev.cqrs:cqrs-inmemory",
            "org.junit.jupiter:junit-jupiter-api (provided)", "org.assertj:assertj-core"));
    for (java.util.Map.Entry<String, List<String>> module : expected.entrySet()) {
      Element dependencies = child(pom(ROOT.resolve(module.getKey()).resolve("pom.xml")), "dependencies").orElseThrow();
      List<String> found = new ArrayList<>();
      for (Node node = dependencies.getFirstChild(); node != null; node = node.getNextSibling()) {
        if (node instanceof Element dependency) {
          String scope = text(dependency, "scope").orElse("compile");
          if (!scope.equals("test")) {
            found.add(text(dependency, "groupId").orElseThrow() + ":" + text(dependency, "artifactId").orElseThrow()
                + (scope.equals("compile") ? "" : " (" + scope + ")"));
          }
        }
      }
      assertThat(found).as(module.getKey() + " dependencies outside test scope")
          .containsExactlyInAnyOrderElementsOf(module.getValue());
    }
  }

  private static Element pom(Path file) throws Exception {
    assertThat(file).isRegularFile();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document document = factory.newDocumentBuilder().parse(Files.newInputStream(file));
    return document.getDocumentElement();
  }

  private static Optional<Element> child(Element parent, String name) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        return Optional.of(element);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> text(Element parent, String name) {
    return child(parent, name).map(Element::getTextContent).map(String::strip).filter(s -> !s.isEmpty());
  }
}
