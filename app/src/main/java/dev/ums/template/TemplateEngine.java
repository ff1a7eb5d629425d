package dev.ums.template;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.ums.web.FieldProblem;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mustache through jmustache, logic-less and strict: every name a template uses must be given (a
 * missing variable or section is an error naming it; an explicit {@code null} renders as nothing);
 * values are read from maps and lists only (no reflection on Java objects, so a template cannot
 * reach a method); {@code {{name}}} is HTML-escaped in the HTML part and inserted as it is in the
 * subject and the text; partials are not supported.
 *
 * <p>Rendering is bounded: at most {@value #MAX_ITERATIONS} section iterations and a given number
 * of characters of output per part, so a small request cannot make a template loop or grow without
 * end. Nothing here logs; error messages name template tags and lines, never a variable's value.
 */
final class TemplateEngine {

  /** Section iterations (list items) one render may go through, all parts together. */
  static final int MAX_ITERATIONS = 100_000;

  private static final ThreadLocal<int[]> ITERATIONS = ThreadLocal.withInitial(() -> new int[1]);

  private static final Mustache.Collector COLLECTOR =
      new BasicCollector() {
        @Override
        public Iterator<?> toIterator(Object value) {
          Iterator<?> it = super.toIterator(value);
          return it == null ? null : new Counted<>(it);
        }

        @Override
        public <K, V> Map<K, V> createFetcherCache() {
          return new ConcurrentHashMap<>();
        }
      };

  private static final Mustache.Compiler BASE =
      Mustache.compiler()
          .withCollector(COLLECTOR)
          .strictSections(true)
          .nullValue("")
          .withLoader(
              name -> {
                throw new MustacheException("partials are not supported");
              });

  private static final Mustache.Compiler HTML = BASE.escapeHTML(true);
  private static final Mustache.Compiler PLAIN = BASE.escapeHTML(false);

  private TemplateEngine() {}

  /** Which part of a template, and so how its variables are escaped. */
  enum Part {
    /** The subject: no escaping. */
    SUBJECT("subject", PLAIN),
    /** The HTML body: {@code {{x}}} HTML-escaped, {@code {{{x}}}} as it is. */
    HTML("html", TemplateEngine.HTML),
    /** The plain-text body: no escaping. */
    TEXT("text", PLAIN);

    final String field;
    final Mustache.Compiler compiler;

    Part(String field, Mustache.Compiler compiler) {
      this.field = field;
      this.compiler = compiler;
    }
  }

  /** Why a template source is not usable, or null when it compiles and uses no partials. */
  static String check(Part part, String source) {
    Template t;
    try {
      t = part.compiler.compile(source);
    } catch (MustacheException e) {
      return "does not compile: " + e.getMessage();
    } catch (StackOverflowError e) {
      return "nests too deeply";
    }
    List<String> unsupported = new ArrayList<>();
    try {
      t.visit(
          new Mustache.Visitor() {
            @Override
            public void visitText(String text) {}

            @Override
            public void visitVariable(String name) {}

            @Override
            public boolean visitInclude(String name) {
              unsupported.add("partial '" + name + "'");
              return false;
            }

            @Override
            public boolean visitParent(String name) {
              unsupported.add("parent '" + name + "'");
              return false;
            }

            @Override
            public boolean visitSection(String name) {
              return true;
            }

            @Override
            public boolean visitInvertedSection(String name) {
              return true;
            }
          });
    } catch (StackOverflowError e) {
      return "nests too deeply";
    }
    return unsupported.isEmpty()
        ? null
        : "uses " + unsupported.get(0) + ": partials are not supported";
  }

  /** Compiles a stored (already checked) template part. */
  static Template compile(Part part, String source) {
    return part.compiler.compile(source);
  }

  /** The result of rendering one template: the three parts, or why it could not be rendered. */
  record Output(
      String subject, String html, String text, List<FieldProblem> errors, String tooLarge) {}

  /**
   * Renders the parts of a template with {@code variables}. Problems are reported against {@code
   * prefix + "variables"} (a missing variable: {@code prefix + "variables." + name}).
   *
   * @param maxChars the most characters one part may render to
   */
  static Output render(
      Template subject,
      Template html,
      Template text,
      Map<String, Object> variables,
      int maxChars,
      String prefix) {
    int[] iterations = ITERATIONS.get();
    iterations[0] = 0;
    List<FieldProblem> errors = new ArrayList<>();
    Map<String, Object> context = variables == null ? Map.of() : variables;
    try {
      String s = part(Part.SUBJECT, subject, context, maxChars, prefix, errors);
      String h = part(Part.HTML, html, context, maxChars, prefix, errors);
      String t = part(Part.TEXT, text, context, maxChars, prefix, errors);
      return new Output(s, h, t, errors, null);
    } catch (TooLarge e) {
      return new Output(null, null, null, List.of(), e.part.field);
    }
  }

  private static String part(
      Part part,
      Template template,
      Map<String, Object> context,
      int maxChars,
      String prefix,
      List<FieldProblem> errors) {
    if (template == null) {
      return null;
    }
    Bounded out = new Bounded(maxChars, part);
    try {
      template.execute(context, out);
      return out.toString();
    } catch (MustacheException.Context e) {
      errors.add(
          FieldProblem.of(
              prefix + "variables." + e.key,
              "missing: the " + part.field + " uses it on line " + e.lineNo));
    } catch (TooLarge e) {
      throw e;
    } catch (TooMuch e) {
      errors.add(FieldProblem.of(prefix + "variables", "the " + part.field + " " + e.getMessage()));
    } catch (RuntimeException | StackOverflowError e) {
      // Variables of a shape the template cannot use (an item that is not an object, ...). The
      // exception's text may quote a value: it is neither returned nor logged.
      errors.add(
          FieldProblem.of(
              prefix + "variables", "the " + part.field + " cannot be rendered with these values"));
    }
    return null;
  }

  /** A render went over its iteration bound. */
  static final class TooMuch extends RuntimeException {
    TooMuch(String message) {
      super(message, null, false, false);
    }
  }

  /** A part rendered to more characters than allowed. */
  static final class TooLarge extends RuntimeException {
    final Part part;

    TooLarge(Part part) {
      super(null, null, false, false);
      this.part = part;
    }
  }

  /** Counts section iterations against the render's budget. */
  private static final class Counted<T> implements Iterator<T> {
    private final Iterator<T> it;

    Counted(Iterator<T> it) {
      this.it = it;
    }

    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public T next() {
      if (++ITERATIONS.get()[0] > MAX_ITERATIONS) {
        throw new TooMuch("repeats sections more than " + MAX_ITERATIONS + " times");
      }
      return it.next();
    }
  }

  /** A writer that refuses to grow past its bound. */
  private static final class Bounded extends Writer {
    private final StringBuilder sb = new StringBuilder();
    private final int max;
    private final Part part;

    Bounded(int max, Part part) {
      this.max = max;
      this.part = part;
    }

    @Override
    public void write(char[] buf, int off, int len) {
      if (sb.length() + len > max) {
        throw new TooLarge(part);
      }
      sb.append(buf, off, len);
    }

    @Override
    public void write(String str, int off, int len) {
      if (sb.length() + len > max) {
        throw new TooLarge(part);
      }
      sb.append(str, off, off + len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return sb.toString();
    }
  }
}
