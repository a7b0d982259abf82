/**
 * Reads a V8 heap snapshot (`--heapsnapshot-signal`) into the heap's live size by constructor
 * (self sizes of its objects, strings, arrays, code…), so two snapshots show what grew.
 */
import fs from "node:fs";

type Snapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[] } };
  nodes: number[];
  strings: string[];
};

export type HeapSummary = { totalMiB: number; byKind: Map<string, { bytes: number; count: number }> };

export function summariseSnapshot(file: string): HeapSummary {
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const byKind = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]];
    const size = data.nodes[i + sizeAt];
    total += size;
    // Objects by constructor name; everything else (strings, arrays, code…) by its type.
    const kind = type === "object" || type === "closure" ? `${type} ${data.strings[data.nodes[i + nameAt]]}` : type;
    const entry = byKind.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count++;
    byKind.set(kind, entry);
  }
  return { totalMiB: total / 2 ** 20, byKind };
}

/** What grew most from `before` to `after`: kind, MiB added, objects added. */
export function growth(before: HeapSummary, after: HeapSummary, top = 12): [string, number, number][] {
  return [...after.byKind.entries()]
    .map(([kind, a]): [string, number, number] => {
      const b = before.byKind.get(kind) ?? { bytes: 0, count: 0 };
      return [kind, (a.bytes - b.bytes) / 2 ** 20, a.count - b.count];
    })
    .sort((x, y) => y[1] - x[1])
    .slice(0, top);
}
