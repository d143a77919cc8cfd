package dev.avatarservice.bench;

/** taskset core lists ("0", "0,1", "0-3"). */
final class Cores {

  private Cores() {
  }

  static int count(String list) {
    int count = 0;
    for (String part : list.split(",")) {
      String[] range = part.trim().split("-");
      count += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
    }
    return count;
  }
}
