import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { checkpointVerdict, type FileReading } from "../../../fleet/domain/checkpoint";
import { checkCheckpoint, fileBackendDir } from "../../../fleet/run/checkpoint";

const absent = (p: string): FileReading => ({ path: p, exists: false });
const text = (p: string, t: string): FileReading => ({
  path: p,
  exists: true,
  size: Buffer.byteLength(t),
  text: t,
});
const WHOLE = '{"version":3,"checkpoint":{"stack":"s"}}';

describe("a torn checkpoint a killed run left (fleet/domain/checkpoint)", () => {
  it("lets a whole checkpoint run, with or without its attribute file", () => {
    assert.deepEqual(
      checkpointVerdict({
        checkpoint: text("c", WHOLE),
        attrs: text("a", "{}"),
        backup: absent("b"),
      }),
      { remove: [] },
    );
    assert.deepEqual(
      checkpointVerdict({ checkpoint: absent("c"), attrs: absent("a"), backup: absent("b") }),
      { remove: [] },
    );
  });

  it("removes an empty attribute file beside a whole checkpoint, and lets it run", () => {
    assert.deepEqual(
      checkpointVerdict({
        checkpoint: text("c", WHOLE),
        attrs: text("a", ""),
        backup: absent("b"),
      }),
      { remove: ["a"] },
    );
  });

  it("stops on a cut-off attribute file, naming it and the fix, removing nothing", () => {
    const v = checkpointVerdict({
      checkpoint: text("c", WHOLE),
      attrs: text("/s/x.json.attrs", '{"user.content'),
      backup: absent("b"),
    });
    assert.deepEqual(v.remove, []);
    assert.equal(
      v.problem,
      "the checkpoint's attribute file /s/x.json.attrs is not whole JSON (14 bytes): a run was " +
        "killed while writing it; nothing was changed. Remove it (rm '/s/x.json.attrs'; the " +
        "checkpoint itself is intact), then run again",
    );
  });

  it("stops on an empty checkpoint, naming the whole .bak to restore and the attribute file", () => {
    const v = checkpointVerdict({
      checkpoint: text("/s/x.json", ""),
      attrs: text("/s/x.json.attrs", ""),
      backup: text("/s/x.json.bak", WHOLE),
    });
    assert.deepEqual(v.remove, [], "nothing is changed while the checkpoint is torn");
    assert.equal(
      v.problem,
      "the stack's checkpoint /s/x.json is empty: a run was killed while writing it; nothing " +
        "was changed. Restore the previous checkpoint: cp '/s/x.json.bak' '/s/x.json' and rm " +
        "'/s/x.json.attrs', then run up --refresh to bring it in line with AWS",
    );
  });

  it("points at the backups folder when the .bak is missing or torn too", () => {
    for (const backup of [absent("/s/x.json.bak"), text("/s/x.json.bak", '{"ver')]) {
      const v = checkpointVerdict({
        checkpoint: text("/s/x.json", '{"version":3,"checkp'),
        attrs: absent("/s/x.json.attrs"),
        backup,
      });
      assert.equal(
        v.problem,
        "the stack's checkpoint /s/x.json is not whole JSON (20 bytes): a run was killed while " +
          "writing it; nothing was changed. Restore the newest whole copy from the backend's " +
          ".pulumi/backups folder over it, then run up --refresh to bring it in line with AWS",
      );
    }
  });

  it("calls an empty compressed checkpoint torn, and does not parse one with bytes", () => {
    const gz = (size: number): FileReading => ({ path: "c.gz", exists: true, size });
    assert.match(
      checkpointVerdict({ checkpoint: gz(0), attrs: absent("a"), backup: absent("b") }).problem ??
        "",
      /c\.gz is empty/,
    );
    assert.deepEqual(
      checkpointVerdict({ checkpoint: gz(40), attrs: absent("a"), backup: absent("b") }),
      { remove: [] },
    );
  });
});

describe("reading the checkpoint files of a file backend (fleet/run/checkpoint)", () => {
  let dir: string;
  let stacks: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkpoint-test-"));
    stacks = path.join(dir, ".pulumi", "stacks", "access-analyzer");
    fs.mkdirSync(stacks, { recursive: true });
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes the folder of a file:// backend only", () => {
    assert.equal(fileBackendDir("file:///var/state"), "/var/state");
    assert.equal(fileBackendDir("file:///var/my%20state"), "/var/my state");
    assert.equal(fileBackendDir("file://./state"), path.resolve("state"));
    assert.equal(fileBackendDir("s3://bucket"), undefined);
    assert.equal(fileBackendDir(undefined), undefined);
  });

  it("removes the empty attribute file of the stack, and nothing of another stack", () => {
    fs.writeFileSync(path.join(stacks, "acct-1.json"), WHOLE);
    fs.writeFileSync(path.join(stacks, "acct-1.json.attrs"), "");
    fs.writeFileSync(path.join(stacks, "acct-2.json.attrs"), "");
    const removed = checkCheckpoint(`file://${dir}`, "access-analyzer", "acct-1");
    assert.deepEqual(removed, [path.join(stacks, "acct-1.json.attrs")]);
    assert.deepEqual(fs.readdirSync(stacks).sort(), ["acct-1.json", "acct-2.json.attrs"]);
  });

  it("throws on a torn checkpoint and leaves every file as it was", () => {
    fs.writeFileSync(path.join(stacks, "acct-1.json"), "");
    fs.writeFileSync(path.join(stacks, "acct-1.json.attrs"), "");
    fs.writeFileSync(path.join(stacks, "acct-1.json.bak"), WHOLE);
    assert.throws(
      () => checkCheckpoint(`file://${dir}`, "access-analyzer", "acct-1"),
      /acct-1\.json is empty: .*cp '.*acct-1\.json\.bak'/,
    );
    assert.deepEqual(fs.readdirSync(stacks).sort(), [
      "acct-1.json",
      "acct-1.json.attrs",
      "acct-1.json.bak",
    ]);
  });

  it("reads the legacy layout, and does nothing for another backend or a new stack", () => {
    fs.writeFileSync(path.join(dir, ".pulumi", "stacks", "old.json"), "{");
    assert.throws(
      () => checkCheckpoint(`file://${dir}`, "access-analyzer", "old"),
      /old\.json is not whole JSON/,
    );
    assert.deepEqual(checkCheckpoint(`file://${dir}`, "access-analyzer", "new"), []);
    assert.deepEqual(checkCheckpoint("s3://bucket/x", "access-analyzer", "old"), []);
  });
});
