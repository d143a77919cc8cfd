package dev.avatarservice.cli;

import dev.avatarservice.config.BuildInfo;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.ManagementSettings;
import dev.avatarservice.config.Settings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar avatar-service.jar admin <command>}: the admin API of a running node from a shell.
 * Reads ADMIN_TOKEN and the management address from the same configuration as the node
 * (conf/config.json, then the environment), talks to that node's management listener, and prints a
 * table for people or, with {@code --json}, the JSend {@code data} for scripts. Exit codes are
 * {@link Exit}'s. Plain blocking Java ({@link HttpClient}): no Vert.x is started for a command.
 */
public final class AdminCli {

  /** Exit codes, for scripts. */
  public static final class Exit {
    public static final int OK = 0;
    /** The node failed the operation (5xx), or answered something unexpected. */
    public static final int FAILED = 1;
    /** Wrong usage, or a configuration that cannot reach the admin API (no ADMIN_TOKEN, MANAGEMENT_PORT=0). */
    public static final int USAGE = 2;
    /** No account has that id. */
    public static final int NOT_FOUND = 3;
    /** The node refused the token (ADMIN_TOKEN differs from the node's), or its admin API is off. */
    public static final int REFUSED = 4;
    /** The management listener could not be reached. */
    public static final int UNREACHABLE = 5;

    private Exit() {
    }
  }

  static final String USAGE = """
    Usage: java -jar avatar-service.jar admin <command> [--json]

    Administers a running node through its management listener (MANAGEMENT_HOST:MANAGEMENT_PORT),
    with ADMIN_TOKEN, both read from conf/config.json and the environment like the node reads them.

    Commands:
      users list [--query PREFIX] [--limit N]   accounts whose identifier starts with PREFIX
      users show ID                             one account
      users delete ID                           delete an account, exactly as its owner would
      users logout ID                           log an account out everywhere (revoke its refresh tokens)
      backup                                    online backup of the database and avatars into BACKUP_DIR

    Options:
      --json       print the answer's data as JSON, for scripts
      --help       this help (also after any command)
      --version    the version of this build

    Exit codes: 0 done, 1 the node failed the operation, 2 usage or configuration error,
    3 no such account, 4 admin token refused or admin API off, 5 management listener unreachable.
    """;

  private final Map<String, String> environment;
  private final Path workingDirectory;
  private final PrintStream out;
  private final PrintStream err;

  AdminCli(Map<String, String> environment, Path workingDirectory, PrintStream out, PrintStream err) {
    this.environment = environment;
    this.workingDirectory = workingDirectory;
    this.out = out;
    this.err = err;
  }

  /** Runs one command (the arguments after {@code admin}); answers the exit code. */
  public static int run(String[] args, Map<String, String> environment, Path workingDirectory, PrintStream out,
                        PrintStream err) {
    return new AdminCli(environment, workingDirectory, out, err).run(List.of(args));
  }

  public static String version() {
    BuildInfo build = BuildInfo.current();
    return build.name() + " " + build.version() + " (commit " + build.commit() + ")";
  }

  private int run(List<String> args) {
    List<String> words = new ArrayList<>();
    boolean json = false;
    String query = "";
    Integer limit = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return Exit.OK;
        }
        case "--version" -> {
          out.println(version());
          return Exit.OK;
        }
        case "--json" -> json = true;
        case "--query", "-q" -> {
          if (i + 1 >= args.size()) {
            return usage("--query needs a value");
          }
          query = args.get(++i);
        }
        case "--limit" -> {
          if (i + 1 >= args.size()) {
            return usage("--limit needs a value");
          }
          try {
            limit = Integer.parseInt(args.get(++i));
          } catch (NumberFormatException e) {
            return usage("--limit must be a whole number");
          }
        }
        default -> {
          if (arg.startsWith("-")) {
            return usage("unknown option " + arg);
          }
          words.add(arg);
        }
      }
    }
    // "users <verb>" or "backup"; what follows are the operands
    int commandWords = words.isEmpty() ? 0 : "users".equals(words.get(0)) ? Math.min(2, words.size()) : 1;
    String command = String.join(" ", words.subList(0, commandWords));
    List<String> operands = words.subList(commandWords, words.size());
    Client client;
    switch (command) {
      case "users list", "backup" -> {
        if (!operands.isEmpty()) {
          return usage("unexpected " + String.join(" ", operands));
        }
      }
      case "users show", "users delete", "users logout" -> {
        if (operands.size() != 1) {
          return usage(command + " needs exactly one account id");
        }
      }
      default -> {
        return usage(command.isEmpty() ? "a command is needed" : "unknown command '" + String.join(" ", words) + "'");
      }
    }
    try {
      client = client();
    } catch (ConfigException e) {
      err.println("avatar-service admin: " + e.getMessage());
      return Exit.USAGE;
    }
    Printer printer = new Printer(out, json);
    try {
      return switch (command) {
        case "users list" -> list(client, printer, query, limit);
        case "users show" -> client.call("GET", "/admin/users/" + encode(operands.get(0)))
          .then(printer::user);
        case "users delete" -> client.call("DELETE", "/admin/users/" + encode(operands.get(0)))
          .then(data -> printer.message(client.lastStatus() == 202
            ? "Deleted; not every node confirmed closing the account's sockets in time (they close within the access-token lifetime)"
            : "Deleted", new JsonObject().put("deleted", true).put("allNodesConfirmed", client.lastStatus() == 200)));
        case "users logout" -> client.call("DELETE", "/admin/users/" + encode(operands.get(0)) + "/sessions")
          .then(data -> printer.message("Logged out everywhere: " + data.getInteger("endedSessions")
            + " sessions ended" + (client.lastStatus() == 202 ? "; not every node confirmed closing their sockets in time" : ""),
            data));
        default -> client.call("POST", "/admin/backup").then(data -> printer.message("Backup written to "
          + data.getString("directory") + "\n  database: " + data.getString("database") + "\n  avatars:  "
          + data.getString("avatars") + "\n  " + data.getInteger("users") + " accounts, "
          + data.getInteger("avatarFiles") + " avatar files", data));
      };
    } catch (Unreachable e) {
      err.println("avatar-service admin: cannot reach the management listener at " + client.base + ": " + e.getMessage()
        + " (is the node running, and are MANAGEMENT_HOST and MANAGEMENT_PORT those of the node?)");
      return Exit.UNREACHABLE;
    }
  }

  /** Every page of the listing, or one page of --limit accounts. */
  private int list(Client client, Printer printer, String query, Integer limit) throws Unreachable {
    JsonArray users = new JsonArray();
    String after = null;
    do {
      int pageSize = limit == null ? 200 : Math.min(200, limit - users.size());
      String path = "/admin/users?limit=" + pageSize + "&q=" + encode(query) + (after == null ? "" : "&after=" + after);
      Result page = client.call("GET", path);
      if (page.exit != Exit.OK) {
        return page.exit;
      }
      users.addAll(page.data.getJsonArray("users"));
      after = page.data.getString("next");
    } while (after != null && (limit == null || users.size() < limit));
    printer.users(users);
    return Exit.OK;
  }

  private int usage(String problem) {
    err.println("avatar-service admin: " + problem);
    err.println("Try: java -jar avatar-service.jar admin --help");
    return Exit.USAGE;
  }

  private Client client() {
    ManagementSettings management = Settings.parse(ConfigLoader.load(workingDirectory, environment)).management();
    if (!management.enabled()) {
      throw new ConfigException("MANAGEMENT_PORT is 0: the node has no management listener to talk to");
    }
    if (!management.adminEnabled()) {
      throw new ConfigException("ADMIN_TOKEN is not set: set it (the node's own) in the environment or conf/config.json");
    }
    String host = management.host();
    // a node listening on every address is reached on loopback
    if ("0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host)) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return new Client("http://" + host + ":" + management.port(), management.adminTokenText(), err);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The management listener could not be reached at all. */
  static final class Unreachable extends Exception {
    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  /** An answer: its exit code, and its JSend data when it succeeded. */
  record Result(int exit, JsonObject data) {
    int then(java.util.function.Consumer<JsonObject> onSuccess) {
      if (exit == Exit.OK) {
        onSuccess.accept(data == null ? new JsonObject() : data);
      }
      return exit;
    }
  }

  /** One node's admin API over HTTP. */
  static final class Client {
    private final String base;
    private final String token;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int lastStatus;

    Client(String base, String token, PrintStream err) {
      this.base = base;
      this.token = token;
      this.err = err;
    }

    int lastStatus() {
      return lastStatus;
    }

    Result call(String method, String path) throws Unreachable {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        // a backup copies the whole database and avatar folder
        .timeout(Duration.ofMinutes(11))
        .build();
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new Unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unreachable("interrupted");
      }
      lastStatus = response.statusCode();
      JsonObject body;
      try {
        body = new JsonObject(response.body());
      } catch (DecodeException | ClassCastException e) {
        err.println("avatar-service admin: " + base + " answered " + response.statusCode() + " without JSend;"
          + " is MANAGEMENT_PORT the node's management port?");
        return new Result(Exit.FAILED, null);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return new Result(Exit.OK, body.getValue("data") instanceof JsonObject data ? data : null);
      }
      JsonObject data = body.getValue("data") instanceof JsonObject d ? d : new JsonObject();
      String message = body.getString("message", data.getString("message", "failed"));
      String code = data.getString("code", "");
      if (status == 404 && "user_not_found".equals(code)) {
        err.println("avatar-service admin: no account has this id");
        return new Result(Exit.NOT_FOUND, null);
      }
      if (status == 401) {
        err.println("avatar-service admin: the node refused the admin token (is ADMIN_TOKEN the node's?)");
        return new Result(Exit.REFUSED, null);
      }
      if (status == 404) {
        err.println("avatar-service admin: the node's admin API is off (the node has no ADMIN_TOKEN)");
        return new Result(Exit.REFUSED, null);
      }
      if (status == 400) {
        err.println("avatar-service admin: refused: " + (data.containsKey("code") ? message : data.encode()));
        return new Result(Exit.USAGE, null);
      }
      err.println("avatar-service admin: the node answered " + status + ": " + message);
      return new Result(Exit.FAILED, null);
    }
  }

  /** Tables for people, JSON for scripts. */
  static final class Printer {
    private final PrintStream out;
    private final boolean json;

    Printer(PrintStream out, boolean json) {
      this.out = out;
      this.json = json;
    }

    void users(JsonArray users) {
      if (json) {
        out.println(new JsonObject().put("users", users).encodePrettily());
        return;
      }
      table(users);
    }

    void user(JsonObject user) {
      if (json) {
        out.println(user.encodePrettily());
        return;
      }
      table(new JsonArray().add(user));
    }

    private void table(JsonArray users) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "IDENTIFIER", "REGISTERED", "AVATAR"});
      for (Object item : users) {
        JsonObject user = (JsonObject) item;
        rows.add(new String[] {user.getString("id"), user.getString("identifier"), user.getString("registeredAt"),
          user.getString("avatarUrl") == null ? "-" : user.getString("avatarUrl")});
      }
      table(rows);
      if (users.size() != 1) {
        out.println(users.size() + " accounts");
      }
    }

    void message(String text, JsonObject data) {
      out.println(json ? data.encodePrettily() : text);
    }

    private void table(List<String[]> rows) {
      int[] widths = new int[rows.get(0).length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
        }
        out.println(line.toString().stripTrailing());
      }
    }
  }
}
