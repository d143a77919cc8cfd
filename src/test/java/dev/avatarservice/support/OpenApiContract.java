package dev.avatarservice.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelLoader;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.atlassian.oai.validator.util.OpenApiLoader;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document as a test oracle: real responses of a {@link TestNode} are checked against
 * {@code openapi.yaml} (the classpath copy, which is what the service serves at
 * {@code /openapi.yaml}) with swagger-request-validator: the status must be one the operation
 * documents, and the documented headers (presence when {@code required}, and their schemas), the
 * content type and a JSON body (its schema, with OpenAPI 3.0 {@code nullable}, {@code $ref}s and
 * {@code additionalProperties: false} wherever a schema lists its properties without saying
 * otherwise) must match. Non-JSON bodies are checked for their content type only.
 *
 * <p>Loaded once per JVM ({@link #get()}); thread-safe.
 */
public final class OpenApiContract {

  /** The document on the classpath; the same bytes are served at /openapi.yaml. */
  public static final String RESOURCE = "openapi.yaml";

  /** One operation of the document. */
  public record Operation(String id, HttpMethod method, String path, Set<Integer> statuses) {
  }

  private static OpenApiContract instance;

  private final String text;
  private final OpenAPI api;
  private final OpenApiInteractionValidator validator;
  private final SchemaValidator schemas;
  private final Map<String, Operation> operations;

  private OpenApiContract(String text) {
    this.text = text;
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    options.setResolveCombinators(false);
    // throws, with the parser's messages, if the document does not parse cleanly
    this.api = new OpenApiLoader().loadApi(OpenApiInteractionValidator.SpecSource.inline(text), List.of(), options);
    // the levels are this class's, not those of a properties file that happens to lie around
    LevelResolver levels = LevelResolver.create().withLoader(new NoLevels()).build();
    this.validator = OpenApiInteractionValidator.createFor(api).withLevelResolver(levels).build();
    this.schemas = new SchemaValidator(api, new MessageResolver(levels));
    this.operations = Collections.unmodifiableMap(index(api));
  }

  /** The document, parsed and resolved once. */
  public static synchronized OpenApiContract get() {
    if (instance == null) {
      try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        assertThat(in).as(RESOURCE + " on the classpath").isNotNull();
        instance = new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The document's text, as served at /openapi.yaml. */
  public String text() {
    return text;
  }

  /** Every operation of the document by operationId, in document order. */
  public Map<String, Operation> operations() {
    return operations;
  }

  public Operation operation(String operationId) {
    Operation operation = operations.get(operationId);
    assertThat(operation).as("operationId %s in %s", operationId, RESOURCE).isNotNull();
    return operation;
  }

  /** Fails, listing every violation, unless the response is one the operation documents. */
  public void assertConforms(String operationId, HttpResponse<Buffer> response) {
    assertThat(violations(operationId, response))
      .as("%s answered %d %s%n  %s%nwhich does not conform to %s", operationId, response.statusCode(),
        response.getHeader("Content-Type"), excerpt(response), RESOURCE)
      .isEmpty();
  }

  /** What is wrong with this response of that operation, according to the document (empty: nothing). */
  public List<String> violations(String operationId, HttpResponse<Buffer> response) {
    return violations(operationId, response.statusCode(), response.headers(), response.body());
  }

  /** The same for a response given by its parts (a null or empty body is no body). */
  public List<String> violations(String operationId, int status, MultiMap headers, Buffer body) {
    Operation operation = operation(operationId);
    List<String> problems = new ArrayList<>();
    ApiResponse documented = api.getPaths().get(operation.path()).readOperationsMap()
      .get(PathItem.HttpMethod.valueOf(operation.method().name())).getResponses()
      .get(Integer.toString(status));
    // the validator checks the content type only when there is one
    if (documented != null && documented.getContent() != null && !documented.getContent().isEmpty()
      && headers.get("Content-Type") == null) {
      problems.add("no Content-Type; documented: " + documented.getContent().keySet());
    }
    SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
    for (String name : new TreeSet<>(headers.names())) {
      response.withHeader(name, headers.getAll(name));
    }
    if (body != null && body.length() > 0) {
      response.withBody(body.getBytes());
    }
    ValidationReport report = validator.validateResponse(operation.path(),
      Request.Method.valueOf(operation.method().name()), response.build());
    problems.addAll(describe(report));
    return problems;
  }

  /**
   * Fails unless the response has a JSON body that conforms to {@code #/components/schemas/<name>}:
   * for the answers that belong to no operation (an unknown path, a method a path does not have).
   */
  public void assertConformsToSchema(String schemaName, HttpResponse<Buffer> response) {
    Schema<?> schema = api.getComponents().getSchemas().get(schemaName);
    assertThat(schema).as("#/components/schemas/%s in %s", schemaName, RESOURCE).isNotNull();
    assertThat(response.getHeader("Content-Type")).as("content type of %s", excerpt(response))
      .isNotNull().startsWith("application/json");
    byte[] body = response.body() == null ? new byte[0] : response.body().getBytes();
    ValidationReport report = schemas.validate(() -> Json.mapper().readTree(body), schema, "response.body");
    assertThat(describe(report))
      .as("%d %s does not conform to #/components/schemas/%s", response.statusCode(), excerpt(response), schemaName)
      .isEmpty();
  }

  private static List<String> describe(ValidationReport report) {
    List<String> problems = new ArrayList<>();
    for (ValidationReport.Message message : report.getMessages()) {
      if (message.getLevel() == ValidationReport.Level.ERROR || message.getLevel() == ValidationReport.Level.WARN) {
        String where = message.getContext().flatMap(ValidationReport.MessageContext::getPointers)
          .map(pointers -> " at " + pointers.getInstance()).orElse("");
        problems.add(message.getKey() + where + ": " + message.getMessage()
          + (message.getAdditionalInfo().isEmpty() ? "" : " " + message.getAdditionalInfo()));
      }
    }
    return problems;
  }

  private static Map<String, Operation> index(OpenAPI api) {
    Map<String, Operation> operations = new LinkedHashMap<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
      Set<Integer> statuses = new TreeSet<>();
      operation.getResponses().keySet().forEach(status -> statuses.add(Integer.parseInt(status)));
      Operation previous = operations.put(operation.getOperationId(),
        new Operation(operation.getOperationId(), HttpMethod.valueOf(method.name()), path, Collections.unmodifiableSet(statuses)));
      assertThat(previous).as("operationId %s is used once", operation.getOperationId()).isNull();
    }));
    return operations;
  }

  private static String excerpt(HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    if (body == null) {
      return "(no body)";
    }
    String type = String.valueOf(response.getHeader("Content-Type")).toLowerCase(Locale.ROOT);
    if (!type.contains("json")) {
      return "(" + response.body().length() + " bytes)";
    }
    return body.length() > 600 ? body.substring(0, 600) + "..." : body;
  }

  /** No levels from system properties or files: every finding is an error. */
  private static final class NoLevels implements LevelLoader {
    @Override
    public Map<String, ValidationReport.Level> loadLevels() {
      return Map.of();
    }

    @Override
    public Optional<ValidationReport.Level> defaultLevel() {
      return Optional.of(ValidationReport.Level.ERROR);
    }
  }
}
