import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { parseTargetsFile, TargetsFileError } from './targets-file.js';

type Json = unknown;
type Doc = Record<string, Json>;
const RUNS = 300;

const node = (group: 'a' | 'b', n: number, base: number, prefix = 'staging') => ({
  name: `${group}${n}`,
  port: base + n,
  containerName: `${prefix}-${group}${n}`,
});
const target = (name: string, base: number, shards: number) => ({
  name,
  containerLabel: { key: 'io.example.redis', value: name },
  clusterConfigFile: '/data/nodes.conf',
  groups: {
    A: Array.from({ length: shards * 2 }, (_, index) => node('a', index + 1, base, name)),
    B: Array.from({ length: shards * 2 }, (_, index) => node('b', index + 1, base + 10, name)),
  },
});
/** A file that parses: one or two targets of one to three shards. */
const goodDoc: fc.Arbitrary<Doc> = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean())
  .map(([shards, two, withDefault]) => ({
    ...(withDefault ? { default: 'staging' } : {}),
    targets: two ? [target('staging', 7100, shards), target('perf', 7200, shards)] : [target('staging', 7100, shards)],
  }));

const json = fc.jsonValue({ maxDepth: 2 });
const notObject = json.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value));
const notString = json.filter((value) => typeof value !== 'string');
/** A key the parser does not know, prototype names included. */
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'prototype', 'Name', 'hosts'),
    )
    .filter((key) => !known.includes(key));

interface Mutation {
  /** What the file says, JSON or not. */
  readonly text: string;
  /** The key the message must start with. */
  readonly at: string;
}

type Key = string | number;
type Edit = (copy: Record<Key, Json>) => void;
/** The object or array at `path` inside `root`. */
const at = (root: Json, path: readonly Key[]): Record<Key, Json> =>
  path.reduce<Record<Key, Json>>((node, key) => node[key] as Record<Key, Json>, root as Record<Key, Json>);
/** Sets a key (prototype names too) as an own property, as `JSON.parse` would. */
const set =
  (path: readonly Key[], value: Json): Edit =>
  (copy) => {
    Object.defineProperty(at(copy, path.slice(0, -1)), path.at(-1)!, { value, enumerable: true, configurable: true, writable: true });
  };
/** Sets `path` to what `from` holds. */
const copyFrom =
  (path: readonly Key[], from: readonly Key[]): Edit =>
  (copy) =>
    set(path, at(copy, from.slice(0, -1))[from.at(-1)!])(copy);

/** Applies the edits to a copy of the document; `key` is the key they break. */
const mutated = (doc: Doc, key: string, ...edits: Edit[]): Mutation => {
  const copy = structuredClone(doc);
  edits.forEach((edit) => edit(copy));
  return { text: JSON.stringify(copy), at: key };
};

type GroupName = 'A' | 'B';
const groupName = fc.constantFrom<GroupName>('A', 'B');

/** A file with exactly one thing wrong, and the key that names it. */
const badFile: fc.Arbitrary<Mutation> = goodDoc.chain((doc) => {
  const targets = doc.targets as ReturnType<typeof target>[];
  const t = fc.nat({ max: targets.length - 1 });
  const size = targets[0]!.groups.A.length;
  const nodeAt = fc.tuple(t, groupName, fc.nat({ max: size - 1 }));
  const name = (ti: number, g?: GroupName, ni?: number) =>
    `targets[${ti}]${g === undefined ? '' : `.groups.${g}${ni === undefined ? '' : `[${ni}]`}`}`;
  const keys = (ti: number, g?: GroupName, ni?: number): Key[] => [
    'targets',
    ti,
    ...(g === undefined ? [] : ['groups', g]),
    ...(ni === undefined ? [] : [ni]),
  ];
  const nodeField = (field: string, values: fc.Arbitrary<Json>) =>
    fc
      .tuple(nodeAt, values)
      .map(([[ti, g, ni], value]) => mutated(doc, `${name(ti, g, ni)}.${field}`, set([...keys(ti, g, ni), field], value)));
  const targetField = (path: readonly string[], values: fc.Arbitrary<Json>) =>
    fc.tuple(t, values).map(([ti, value]) => mutated(doc, [name(ti), ...path].join('.'), set([...keys(ti), ...path], value)));
  return fc.oneof(
    // The document itself.
    fc
      .oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '{', '{"targets": [', 'undefined', "{'targets': []}"))
      .filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      })
      .map((text) => ({ text, at: 'is not valid JSON' })),
    notObject.map((value) => ({ text: JSON.stringify(value), at: '(the document)' })),
    fc.tuple(unknownKey(['targets', 'default']), json).map(([key, value]) => mutated(doc, key, set([key], value))),
    fc
      .oneof(
        json.filter((value) => !Array.isArray(value)),
        fc.constant([]),
      )
      .map((value) => mutated(doc, 'targets', set(['targets'], value))),
    fc
      .oneof(
        notString,
        fc.string().filter((value) => !targets.some((each) => each.name === value)),
      )
      .map((value) => mutated(doc, 'default', set(['default'], value))),
    // A target.
    fc.tuple(t, notObject).map(([ti, value]) => mutated(doc, name(ti), set(keys(ti), value))),
    fc
      .tuple(t, unknownKey(['name', 'containerLabel', 'clusterConfigFile', 'groups', 'engines', 'groupEngines']), json)
      .map(([ti, key, value]) => mutated(doc, `${name(ti)}.${key}`, set([...keys(ti), key], value))),
    targetField(['name'], fc.oneof(notString, fc.constantFrom('', 'Staging', 'prod cluster', '-x', 'x'.repeat(65), 'ä'))),
    targetField(['containerLabel'], notObject),
    fc
      .tuple(fc.constantFrom('key', 'value'), fc.oneof(notString, fc.constantFrom('', 'x'.repeat(129), 'a b\n')))
      .chain(([field, value]) => targetField(['containerLabel', field], fc.constant(value))),
    fc
      .tuple(t, unknownKey(['key', 'value']), json)
      .map(([ti, key, value]) => mutated(doc, `${name(ti)}.containerLabel.${key}`, set([...keys(ti), 'containerLabel', key], value))),
    targetField(['clusterConfigFile'], fc.oneof(notString, fc.constantFrom('', 'nodes.conf', './nodes.conf', '/'))),
    targetField(['groups'], notObject),
    fc
      .tuple(t, unknownKey(['A', 'B']), json)
      .map(([ti, key, value]) => mutated(doc, `${name(ti)}.groups.${key}`, set([...keys(ti), 'groups', key], value))),
    fc
      .tuple(
        t,
        groupName,
        json.filter((value) => !Array.isArray(value)),
      )
      .map(([ti, g, value]) => mutated(doc, name(ti, g), set(keys(ti, g), value))),
    // A group of the wrong size: the message names the target and the group.
    fc.tuple(t, groupName).map(([ti, g]) =>
      mutated(doc, `${name(ti)}: target ${targets[ti]!.name}: group ${g}`, (copy) => {
        (at(copy, keys(ti, g)) as unknown as Json[]).pop();
      }),
    ),
    // A node.
    fc.tuple(nodeAt, notObject).map(([[ti, g, ni], value]) => mutated(doc, name(ti, g, ni), set(keys(ti, g, ni), value))),
    fc
      .tuple(nodeAt, unknownKey(['name', 'host', 'port', 'containerName', 'engine']), json)
      .map(([[ti, g, ni], key, value]) => mutated(doc, `${name(ti, g, ni)}.${key}`, set([...keys(ti, g, ni), key], value))),
    nodeField(
      'port',
      fc.oneof(
        json.filter((value) => !Number.isInteger(value)),
        fc.constantFrom(0, -1, 55536, 65535, 7100.5, 1e300),
        fc.integer({ min: 55536, max: 2 ** 31 }),
      ),
    ),
    nodeField('name', fc.oneof(notString, fc.constantFrom('', 'A1', 'a 1', '-a', 'x'.repeat(33)))),
    nodeField('containerName', fc.oneof(notString, fc.constantFrom('', 'no spaces', '-lead', 'a/b', 'x'.repeat(129)))),
    // A host that is not a name or an address: any address the service reaches is allowed.
    nodeField('host', fc.oneof(notString, fc.constantFrom('', 'a b', 'host/name', 'x'.repeat(254)))),
    // Two nodes of a target with one name, address or container: the later one is named.
    fc
      .tuple(
        t,
        fc.uniqueArray(fc.nat({ max: size * 2 - 1 }), { minLength: 2, maxLength: 2 }),
        fc.constantFrom('name', 'port', 'containerName'),
      )
      .map(([ti, pair, field]) => {
        const place = (index: number) => (index < size ? (['A', index] as const) : (['B', index - size] as const));
        const [g1, n1] = place(Math.min(...pair));
        const [g2, n2] = place(Math.max(...pair));
        return mutated(doc, `${name(ti, g2, n2)}.${field}`, copyFrom([...keys(ti, g2, n2), field], [...keys(ti, g1, n1), field]));
      }),
    // Two targets with one name, or sharing a node's address or container.
    fc.constant(mutated(doc, `targets[${targets.length}].name`, copyFrom(['targets', targets.length], ['targets', 0]))),
    fc
      .tuple(groupName, fc.nat({ max: size - 1 }), fc.constantFrom('port', 'containerName'))
      .map(([g, ni, field]) =>
        mutated(
          doc,
          `targets[1].groups.${g}[${ni}].${field}`,
          set(['targets'], [targets[0], target('other', 7300, size / 2)]),
          copyFrom(['targets', 1, 'groups', g, ni, field], ['targets', 0, 'groups', g, ni, field]),
        ),
      ),
  );
});

describe('parseTargetsFile, given generated bad files', () => {
  it('accepts the generated good ones', () => {
    fc.assert(
      fc.property(goodDoc, (doc) => {
        expect(parseTargetsFile(JSON.stringify(doc)).targets).toHaveLength((doc.targets as unknown[]).length);
      }),
    );
  });

  it('refuses each with a TargetsFileError that starts with the key at fault', () => {
    fc.assert(
      fc.property(badFile, ({ text, at }) => {
        let thrown: unknown;
        try {
          parseTargetsFile(text);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `accepted ${text}`).toBeInstanceOf(TargetsFileError);
        expect((thrown as Error).message.startsWith(at), `${(thrown as Error).message} (wanted ${at}) for ${text}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('loadConfig with TARGETS_FILE, given generated bad files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'redis-drill-targets-'));
  const file = join(directory, 'targets.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('stops with TARGETS_FILE, the file and the key at fault named, and nothing else thrown', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          badFile,
          // The lab's name is taken.
          goodDoc.map((doc) => mutated(doc, 'the name "lab"', set(['targets', 0, 'name'], 'lab'), set(['default'], undefined))),
        ),
        ({ text, at }) => {
          writeFileSync(file, text);
          let thrown: unknown;
          try {
            loadConfig({ TARGETS_FILE: file });
          } catch (error) {
            thrown = error;
          }
          expect(thrown, `accepted ${text}`).toBeInstanceOf(ConfigError);
          expect((thrown as ConfigError).key).toBe('TARGETS_FILE');
          expect(
            (thrown as Error).message.startsWith(`invalid configuration: TARGETS_FILE (${file}) is invalid: ${at}`),
            (thrown as Error).message,
          ).toBe(true);
        },
      ),
      { numRuns: RUNS / 3 },
    );
  });
});
