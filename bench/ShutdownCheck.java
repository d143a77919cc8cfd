import io.vertx.core.json.JsonObject;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The client side of bench/shutdown.sh: with a socket open and an avatar upload still sending its
 * body, it sends SIGTERM to the node, then checks that the upload is answered 200, that the socket
 * is closed with 1001 and that new connections are refused meanwhile. The script checks the exit code.
 *
 *   java -cp target/avatar-service.jar bench/ShutdownCheck.java PORT PID
 */
public class ShutdownCheck {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;

    HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create(base + "/api/register"))
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("identifier", "shutdown-check")
        .put("password", "shutdown check passphrase 42").encode())).build(), HttpResponse.BodyHandlers.ofString());
    String token = new JsonObject(registered.body()).getJsonObject("data").getString("accessToken");

    CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    CompletableFuture<String> ready = new CompletableFuture<>();
    http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
      .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          ready.complete(data.toString());
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
          closeCode.complete(statusCode);
          return null;
        }
      }).get(10, TimeUnit.SECONDS);
    System.out.println("socket open: " + ready.get(10, TimeUnit.SECONDS));

    byte[] png = noisePng();
    int chunks = 10;
    int chunk = (png.length + chunks - 1) / chunks;
    try (Socket upload = new Socket("127.0.0.1", port)) {
      OutputStream out = upload.getOutputStream();
      out.write(("POST /api/user/avatar HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: image/png\r\nContent-Length: " + png.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(png, 0, chunk);
      out.flush();
      System.out.println("upload of " + png.length + " bytes started; SIGTERM to " + pid);
      long sent = System.nanoTime();
      ProcessHandle.of(pid).orElseThrow().destroy();

      boolean refused = false;
      for (int i = 1; i < chunks; i++) {
        Thread.sleep(200);
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); i == 3 && !refused
          && System.nanoTime() < deadline; ) {
          try (Socket late = new Socket("127.0.0.1", port)) {
            Thread.sleep(50); // still accepting: the stop has not reached the HTTP server yet
          } catch (ConnectException e) {
            refused = true;
          }
        }
        out.write(png, i * chunk, Math.min(chunk, png.length - i * chunk));
        out.flush();
      }
      String answer = readAnswer(upload.getInputStream());
      String status = answer.substring(0, answer.indexOf("\r\n"));
      System.out.printf("upload answered %d ms after SIGTERM: %s%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), status);
      int code = closeCode.get(10, TimeUnit.SECONDS);
      System.out.println("socket closed with " + code);
      System.out.println("new connections during the shutdown: " + (refused ? "refused" : "ACCEPTED"));
      boolean ok = status.contains(" 200 ") && answer.contains("\"avatarUrl\":\"http") && code == 1001 && refused;
      System.out.println(ok ? "client checks: OK" : "client checks: FAILED");
      System.exit(ok ? 0 : 1);
    }
  }

  /** The whole answer (the node closes the connection after it, being shut down). */
  private static String readAnswer(InputStream in) throws Exception {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static byte[] noisePng() throws Exception {
    BufferedImage image = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(7);
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 300; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
