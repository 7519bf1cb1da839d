import assert from "node:assert/strict";
import {
  debianMirrors,
  debianSourcesFile,
  parseListFile,
  parseSourcesFile,
} from "./_apt.ts";

Deno.test("apt - reads one-line sources, skipping deb-src, comments and options", () => {
  const sources = parseListFile(
    [
      "# a comment",
      "deb-src http://mirror.example/debian bookworm main",
      "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main",
      "deb http://security.example/debian-security bookworm-security main # note",
    ].join("\n"),
  );
  assert.deepEqual(sources, [
    { uris: ["http://mirror.example/debian"], suites: ["bookworm"] },
    {
      uris: ["http://security.example/debian-security"],
      suites: ["bookworm-security"],
    },
  ]);
});

Deno.test("apt - reads deb822 stanzas and skips disabled ones", () => {
  const sources = parseSourcesFile(
    [
      "Types: deb",
      "# a comment inside",
      "URIs: http://mirror.example/debian/",
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "",
      "Types: deb",
      "URIs: http://other.example/debian",
      "Suites: bookworm",
      "Enabled: no",
      "",
      "Types: deb-src",
      "URIs: http://mirror.example/debian",
      "Suites: bookworm",
    ].join("\n"),
  );
  assert.deepEqual(sources, [
    {
      uris: ["http://mirror.example/debian/"],
      suites: ["bookworm", "bookworm-updates"],
    },
  ]);
});

Deno.test("apt - picks the release and security mirrors, or null without one", () => {
  const sources = [
    { uris: ["http://third.example/apt"], suites: ["nodistro"] },
    { uris: ["http://mirror.example/debian/"], suites: ["bookworm"] },
    {
      uris: ["http://sec.example/debian-security"],
      suites: ["bookworm-security"],
    },
  ];
  const m = debianMirrors(sources, "bookworm");
  assert.deepEqual(m, {
    archive: "http://mirror.example/debian",
    security: "http://sec.example/debian-security",
  });
  assert.equal(debianMirrors(sources, "trixie"), null);
  const file = debianSourcesFile(m!, "bookworm");
  assert.match(
    file,
    /URIs: http:\/\/mirror\.example\/debian\nSuites: bookworm bookworm-updates\n/,
  );
  assert.match(file, /Suites: bookworm-security\n/);
  assert.deepEqual(parseSourcesFile(file).map((s) => s.suites), [
    ["bookworm", "bookworm-updates"],
    ["bookworm-security"],
  ]);
});
