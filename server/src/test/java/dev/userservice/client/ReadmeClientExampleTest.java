package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's client library example compiles, as written, against the client library: it
 * names a cluster address and a CA file, so it is compiled, not run (the client's own tests run
 * every call it makes).
 */
class ReadmeClientExampleTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");

  /** The example inside a method, with the imports and the token cache it takes for granted. */
  private static String program(String example) {
    return """
        import dev.userservice.api.user.v1.CreateUserRequest;
        import dev.userservice.api.user.v1.User;
        import dev.userservice.client.AlreadyExistsException;
        import dev.userservice.client.ClientMethod;
        import dev.userservice.client.NotFoundException;
        import dev.userservice.client.UserServiceClient;
        import java.nio.file.Path;
        import java.time.Duration;
        import java.util.stream.Stream;

        class ReadmeExample {
          interface TokenCache {
            String currentToken();
          }

          static void run(TokenCache tokenCache) {
        """ + example + """
          }
        }
        """;
  }

  @Test
  void readme_clientExample_compiles(@TempDir Path classes) throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("project.root", "."), "README.md"));
    Matcher block = JAVA_BLOCK.matcher(readme);
    assertThat(block.find()).as("README.md has a java block").isTrue();
    JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///ReadmeExample.java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return program(block.group(1));
      }
    };
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();

    boolean compiled;
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
      compiled = compiler.getTask(diagnostics, files, null, List.of("-classpath", System.getProperty("java.class.path"),
          "-d", classes.toString(), "-Xlint:none"), null, List.of(source)).call();
    }

    assertThat(compiled).as("the README's example compiles:%n%s", diagnostics).isTrue();
  }
}
