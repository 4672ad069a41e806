package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random and half-structured inputs: parsing, static analysis and execution may only ever fail with
 * {@link TemplateException}. Seeds are fixed, so a failure reproduces.
 */
class GoTemplateFuzzTest {

  private static final String[] TOKENS = {
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{-",
    "-}}",
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    "$",
    "$x",
    "(",
    ")",
    "|",
    ",",
    ":=",
    "=",
    ":",
    "\"",
    "\"a\"",
    "\"%s\"",
    "\"%d %v %q %x %5.2f %[2]s %*d %\"",
    "`",
    "`r`",
    "'",
    "'a'",
    "'\\n'",
    "\\",
    "\\x",
    "\\u00",
    "/*",
    "*/",
    "{{/*",
    "*/}}",
    "Pod",
    ".Pod",
    ".Name",
    ".Pod.Name",
    ".Pod.UID",
    ".Context",
    ".Context.region",
    ".Context.nope",
    ".Foo",
    "if",
    "else",
    "end",
    "else if",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "{{break}}",
    "{{continue}}",
    "{{range .Context}}",
    "{{range $i, $e := .Context}}",
    "{{range 3}}",
    "{{with .Pod}}",
    "{{with $c := .Context}}",
    "{{else with ",
    "{{end}}",
    "$i",
    "$e",
    "$c",
    "$y",
    "$x :=",
    "$x =",
    "$i, $e :=",
    "$.Context",
    "nil",
    "true",
    "false",
    "index",
    "printf",
    "print",
    "len",
    "eq",
    "ne",
    "and",
    "or",
    "not",
    "lt",
    "le",
    "gt",
    "ge",
    "slice",
    "println",
    "html",
    "js",
    "urlquery",
    "call",
    "foo",
    "0",
    "1",
    "-1",
    "08",
    "0x",
    "0x1F",
    "1e",
    "1e3",
    "1.5",
    ".5",
    "1_0",
    "1+2i",
    "99999999999999999999",
    "%",
    "é",
    "😀",
    "\u0001",
    "\r",
    "}",
    "{",
    "-",
    "+",
    "*",
    "!",
  };

  private static final Map<String, Object> DATA =
      TemplateData.dummy(Map.of("region", "eu", "empty", ""));

  /** The dummy data plus a slice and a map of ints, so that every kind of value is reached. */
  private static final Map<String, Object> RICH_DATA = richData();

  private static Map<String, Object> richData() {
    Map<String, Object> data = new LinkedHashMap<>(DATA);
    data.put("SI", List.of(3, 4, 5));
    data.put("MSI", Map.of("one", 1, "two", 2));
    return data;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void onlyTemplateExceptionEverEscapes(long seed) {
    Random random = new Random(seed);
    int parsed = 0;
    for (int n = 0; n < 4000; n++) {
      String text = n % 4 == 0 ? randomChars(random) : randomTokens(random, n % 2 == 0);
      if (check(text)) {
        parsed++;
      }
    }
    // Not a tautology: the generator must reach the executor, not only the parser.
    assertThat(parsed).isGreaterThan(100);
  }

  /**
   * Well-formed-looking templates built from the grammar: nested if/with/range with else branches,
   * declarations and assignments, break/continue, and pipelines over every function. Most parse, so
   * this reaches deep into the executor and the static analysis.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15, 16})
  void structuredTemplatesOnlyEverFailWithTemplateException(long seed) {
    Random random = new Random(seed);
    int parsed = 0;
    for (int n = 0; n < 3000; n++) {
      Generator generator = new Generator(random);
      String text = generator.list(0);
      if (check(text, n % 2 == 0 ? DATA : RICH_DATA)) {
        parsed++;
      }
    }
    assertThat(parsed).isGreaterThan(900);
  }

  /** A random template from the grammar; variables come from a small pool, not always declared. */
  private static final class Generator {
    private static final String[] OPERANDS = {
      ".",
      "$",
      ".Pod",
      ".Pod.Name",
      ".Pod.UID",
      ".Context",
      ".Context.region",
      ".Context.empty",
      ".SI",
      ".MSI",
      ".Foo",
      "$.Context",
      "$.Pod.Namespace",
      "$x",
      "$i",
      "$e",
      "$x.Name",
      "0",
      "1",
      "-1",
      "3",
      "1000",
      "2.5",
      "true",
      "false",
      "nil",
      "\"a\"",
      "\"\"",
      "`%s-%d`",
      "'x'"
    };
    private static final String[] FUNCTIONS = {
      "and",
      "or",
      "not",
      "eq",
      "ne",
      "lt",
      "le",
      "gt",
      "ge",
      "index",
      "slice",
      "len",
      "print",
      "printf",
      "println",
      "html",
      "js",
      "urlquery"
    };
    private static final String[] VARIABLES = {"$x", "$i", "$e"};

    private final Random random;
    private int budget = 12;

    Generator(Random random) {
      this.random = random;
    }

    String list(int depth) {
      StringBuilder sb = new StringBuilder();
      int items = random.nextInt(4);
      for (int k = 0; k < items && budget > 0; k++) {
        budget--;
        sb.append(item(depth));
      }
      return sb.toString();
    }

    private String item(int depth) {
      int choice = random.nextInt(depth > 3 ? 5 : 11);
      return switch (choice) {
        case 0 -> "t" + random.nextInt(10);
        case 1, 2 -> "{{" + pipeline(2) + "}}";
        case 3 -> "{{" + variable() + (random.nextBoolean() ? " := " : " = ") + pipeline(1) + "}}";
        case 4 -> random.nextBoolean() ? "{{break}}" : "{{continue}}";
        case 5 -> control("if", depth);
        case 6 -> control("with", depth);
        case 7, 8 -> control("range", depth);
        case 9 -> "{{/* c */}}";
        default -> "{{- " + pipeline(1) + " -}} ";
      };
    }

    private String control(String keyword, int depth) {
      StringBuilder sb = new StringBuilder("{{").append(keyword).append(' ');
      if (keyword.equals("range") && random.nextInt(3) == 0) {
        sb.append(random.nextBoolean() ? "$i, $e := " : "$e := ");
      } else if (random.nextInt(4) == 0) {
        sb.append(variable()).append(" := ");
      }
      sb.append(pipeline(2)).append("}}").append(list(depth + 1));
      int elses = random.nextInt(3);
      for (int k = 0; k < elses; k++) {
        if (k < elses - 1 || random.nextBoolean()) {
          sb.append("{{else ").append(keyword).append(' ').append(pipeline(1)).append("}}");
        } else {
          sb.append("{{else}}");
        }
        sb.append(list(depth + 1));
      }
      return sb.append("{{end}}").toString();
    }

    private String pipeline(int depth) {
      StringBuilder sb = new StringBuilder(command(depth));
      while (random.nextInt(4) == 0) {
        sb.append(" | ").append(FUNCTIONS[random.nextInt(FUNCTIONS.length)]);
        if (random.nextBoolean()) {
          sb.append(' ').append(operand(depth - 1));
        }
      }
      return sb.toString();
    }

    private String command(int depth) {
      if (random.nextInt(3) == 0) {
        return operand(depth);
      }
      StringBuilder sb = new StringBuilder(FUNCTIONS[random.nextInt(FUNCTIONS.length)]);
      int args = 1 + random.nextInt(3);
      for (int k = 0; k < args; k++) {
        sb.append(' ').append(operand(depth - 1));
      }
      return sb.toString();
    }

    private String operand(int depth) {
      if (depth > 0 && random.nextInt(5) == 0) {
        return "(" + pipeline(depth - 1) + ")";
      }
      return OPERANDS[random.nextInt(OPERANDS.length)];
    }

    private String variable() {
      return VARIABLES[random.nextInt(VARIABLES.length)];
    }
  }

  /** Returns whether the text parsed. */
  private static boolean check(String text) {
    return check(text, DATA);
  }

  /** Returns whether the text parsed. */
  private static boolean check(String text, Map<String, Object> data) {
    GoTemplate template;
    try {
      template = GoTemplate.parse("fuzz", text);
    } catch (TemplateException expected) {
      assertThat(expected.getMessage()).startsWith("template: fuzz:");
      return false;
    } catch (RuntimeException | StackOverflowError e) {
      return fail("parse of %s threw %s", javaLiteral(text), e);
    }
    try {
      template.contextKeys();
      template.execute(data);
    } catch (TemplateException expected) {
      assertThat(expected.getMessage()).startsWith("template: fuzz:");
    } catch (RuntimeException | StackOverflowError e) {
      return fail("execute of %s threw %s", javaLiteral(text), e);
    }
    return true;
  }

  private static String randomTokens(Random random, boolean wrapInAction) {
    StringBuilder sb = new StringBuilder();
    if (wrapInAction) {
      sb.append("{{");
    }
    int count = random.nextInt(12);
    for (int i = 0; i < count; i++) {
      sb.append(TOKENS[random.nextInt(TOKENS.length)]);
      if (wrapInAction && random.nextInt(3) == 0) {
        sb.append(' ');
      }
    }
    if (wrapInAction) {
      sb.append("}}");
    }
    return sb.toString();
  }

  private static String randomChars(Random random) {
    String alphabet = "{}-. $()|\"`'\\/*:=,%aeinPodNm01x\n\té";
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(24);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String javaLiteral(String s) {
    return org.spireregistrar.core.GoQuote.quoteToAscii(s);
  }
}
