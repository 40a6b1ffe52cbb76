import { readFileSync } from 'node:fs';
import { getDMMF } from '@prisma/get-dmmf';
import { Client } from 'pg';

/**
 * Compares a live PostgreSQL database (its `public` schema, read from the catalog) with a Prisma
 * schema file, and lists every difference in words. An empty list means the migrations produce
 * exactly what the Prisma schema (and so the generated client) expects: tables, columns with their
 * types and nullability, enums, primary keys, unique and plain indexes, and foreign keys.
 *
 * Not compared: column defaults and CHECK constraints (the Prisma schema cannot express the
 * latter), and anything outside `public`.
 */

type Dmmf = Exclude<ReturnType<typeof getDMMF>, { type: string; reason: string }>;
type Datamodel = Dmmf['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

/** Prisma's own bookkeeping table: present in every migrated database, absent from every schema. */
const PRISMA_TABLES = new Set(['_prisma_migrations']);

export function readDatamodel(schemaFile: string): Datamodel {
  const result = getDMMF({ datamodel: readFileSync(schemaFile, 'utf8') });
  if ('type' in result && 'reason' in result) {
    throw new Error(`${schemaFile} does not parse (${result.type}: ${result.reason}): ${result.error.message}`);
  }
  return result.datamodel;
}

export async function diffDatabaseAgainstPrismaSchema(connectionString: string, schemaFile: string): Promise<string[]> {
  const datamodel = readDatamodel(schemaFile);
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return compare(datamodel, await readCatalog(client));
  } finally {
    await client.end();
  }
}

interface CatalogColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
}

interface CatalogIndex {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  partial: boolean;
  /** Each key column as `name` or `name DESC`, in index order. */
  columns: string[];
}

interface CatalogForeignKey {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface Catalog {
  tables: string[];
  columns: CatalogColumn[];
  enums: Map<string, string[]>;
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
}

async function readCatalog(client: Client): Promise<Catalog> {
  const tables = await client.query<{ table: string }>(
    `SELECT c.relname AS table
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY 1`,
  );
  const columns = await client.query<{ table: string; column: string; type: string; not_null: boolean }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, a.attnum`,
  );
  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public'
      GROUP BY t.typname`,
  );
  // One row per index; key columns through pg_get_indexdef(index, k) so expressions show up as
  // themselves, and the DESC bit of indoption per key column.
  const indexes = await client.query<{ table: string; name: string; unique: boolean; primary: boolean; partial: boolean; columns: string[] }>(
    `SELECT t.relname AS table, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
            i.indpred IS NOT NULL AS partial,
            array(
              SELECT pg_get_indexdef(i.indexrelid, k, true) || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                FROM generate_series(1, i.indnkeyatts) AS k
               ORDER BY k
            ) AS columns
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public'
      ORDER BY 1, 2`,
  );
  const foreignKeys = await client.query<{
    table: string;
    name: string;
    columns: string[];
    referenced_table: string;
    referenced_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname AS table, con.conname AS name,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rt.relname AS referenced_table,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns,
            con.confdeltype AS on_delete, con.confupdtype AS on_update
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class rt ON rt.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND con.contype = 'f'
      ORDER BY 1, 2`,
  );
  return {
    tables: tables.rows.map((row) => row.table),
    columns: columns.rows.map((row) => ({ table: row.table, column: row.column, type: row.type, notNull: row.not_null })),
    enums: new Map(enums.rows.map((row) => [row.name, row.labels])),
    indexes: indexes.rows,
    foreignKeys: foreignKeys.rows.map((row) => ({
      table: row.table,
      name: row.name,
      columns: row.columns,
      referencedTable: row.referenced_table,
      referencedColumns: row.referenced_columns,
      onDelete: FK_ACTIONS[row.on_delete] ?? `unknown (${row.on_delete})`,
      onUpdate: FK_ACTIONS[row.on_update] ?? `unknown (${row.on_update})`,
    })),
  };
}

/** pg_constraint.confdeltype / confupdtype codes, named as in the Prisma schema's referential actions. */
const FK_ACTIONS: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

/** How format_type prints an identifier: quoted unless it is a plain lower-case name. */
function typeIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function nativeTypeName(name: string, args: readonly string[]): string | null {
  const [a, b] = args;
  const precision = a === undefined ? '' : `(${a})`;
  switch (name) {
    case 'Uuid':
      return 'uuid';
    case 'Text':
      return 'text';
    case 'VarChar':
      return `character varying${precision}`;
    case 'Char':
      return `character${precision}`;
    case 'SmallInt':
      return 'smallint';
    case 'Integer':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Real':
      return 'real';
    case 'DoublePrecision':
      return 'double precision';
    case 'Decimal':
      return a === undefined ? 'numeric' : `numeric(${a}${b === undefined ? '' : `,${b}`})`;
    case 'Money':
      return 'money';
    case 'Boolean':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'Timestamp':
      return `timestamp${precision} without time zone`;
    case 'Timestamptz':
      return `timestamp${precision} with time zone`;
    case 'Time':
      return `time${precision} without time zone`;
    case 'Timetz':
      return `time${precision} with time zone`;
    case 'Json':
      return 'json';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    case 'Inet':
      return 'inet';
    case 'Citext':
      return 'citext';
    case 'Xml':
      return 'xml';
    case 'Oid':
      return 'oid';
    case 'Bit':
      return `bit${precision}`;
    case 'VarBit':
      return `bit varying${precision}`;
    default:
      return null;
  }
}

/** The PostgreSQL types Prisma Migrate uses for each scalar without a native type attribute. */
const DEFAULT_SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** The column type format_type should print for a field, or null when this comparator cannot tell. */
function expectedColumnType(field: Field, datamodel: Datamodel): string | null {
  let base: string | null;
  if (field.kind === 'enum') {
    const enumDef = datamodel.enums.find((candidate) => candidate.name === field.type);
    base = typeIdentifier(enumDef?.dbName ?? field.type);
  } else if (field.nativeType) {
    base = nativeTypeName(field.nativeType[0], field.nativeType[1]);
  } else {
    base = DEFAULT_SCALAR_TYPES[field.type] ?? null;
  }
  if (base === null) return null;
  return field.isList ? `${base}[]` : base;
}

const tableName = (model: Model) => model.dbName ?? model.name;
const columnName = (field: Field) => field.dbName ?? field.name;
const list = (values: readonly string[]) => `(${values.join(', ')})`;

function compare(datamodel: Datamodel, catalog: Catalog): string[] {
  const differences: string[] = [];
  const modelsByTable = new Map(datamodel.models.map((model) => [tableName(model), model]));

  for (const table of catalog.tables) {
    if (!modelsByTable.has(table) && !PRISMA_TABLES.has(table)) differences.push(`table ${table}: exists in the database but no model maps to it`);
  }

  for (const model of datamodel.models) {
    const table = tableName(model);
    if (!catalog.tables.includes(table)) {
      differences.push(`table ${table}: missing (model ${model.name})`);
      continue;
    }
    differences.push(...compareColumns(model, datamodel, catalog));
    differences.push(...compareIndexes(model, datamodel, catalog));
    differences.push(...compareForeignKeys(model, datamodel, catalog));
  }

  differences.push(...compareEnums(datamodel, catalog));
  return differences;
}

function compareColumns(model: Model, datamodel: Datamodel, catalog: Catalog): string[] {
  const differences: string[] = [];
  const table = tableName(model);
  const actual = new Map(catalog.columns.filter((column) => column.table === table).map((column) => [column.column, column]));
  const fields = model.fields.filter((field) => field.kind === 'scalar' || field.kind === 'enum' || field.kind === 'unsupported');
  const expectedNames = new Set(fields.map(columnName));

  for (const field of fields) {
    const name = columnName(field);
    const column = actual.get(name);
    if (!column) {
      differences.push(`column ${table}.${name}: missing (field ${model.name}.${field.name})`);
      continue;
    }
    const type = expectedColumnType(field, datamodel);
    if (type === null) {
      differences.push(`column ${table}.${name}: cannot check type ${field.type}${field.nativeType ? ` @db.${field.nativeType[0]}` : ''} (unknown to this comparator)`);
    } else if (column.type !== type) {
      differences.push(`column ${table}.${name}: type is ${column.type}, the schema says ${type}`);
    }
    // Prisma Migrate makes scalar list columns nullable whatever `isRequired` says.
    const notNull = field.isList ? false : field.isRequired;
    if (column.notNull !== notNull) {
      differences.push(`column ${table}.${name}: is ${column.notNull ? 'NOT NULL' : 'nullable'}, the schema says ${notNull ? 'NOT NULL' : 'nullable'}`);
    }
  }
  for (const name of actual.keys()) {
    if (!expectedNames.has(name)) differences.push(`column ${table}.${name}: exists in the database but not in model ${model.name}`);
  }
  return differences;
}

function compareIndexes(model: Model, datamodel: Datamodel, catalog: Catalog): string[] {
  const differences: string[] = [];
  const table = tableName(model);
  const fieldColumn = (name: string) => {
    const field = model.fields.find((candidate) => candidate.name === name);
    return field ? columnName(field) : name;
  };
  const actual = catalog.indexes.filter((index) => index.table === table);
  const matched = new Set<string>();

  for (const index of datamodel.indexes.filter((candidate) => candidate.model === model.name)) {
    if (index.type === 'fulltext') {
      differences.push(`index on ${table}: fulltext indexes are not checked by this comparator`);
      continue;
    }
    const plainColumns = index.fields.map((field) => fieldColumn(field.name));
    const described = `${index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index'} on ${table} ${list(plainColumns)}`;
    // The primary key and unique indexes are compared on their columns alone (their order of
    // storage does not change what they enforce); plain indexes also on each column's direction,
    // which is what makes them serve `ORDER BY created_at DESC, id DESC`.
    const wanted =
      index.type === 'normal'
        ? index.fields.map((field) => `${fieldColumn(field.name)}${field.sortOrder === 'desc' ? ' DESC' : ''}`)
        : plainColumns;
    const candidates = actual.filter((candidate) => {
      if (candidate.partial) return false;
      const columns = index.type === 'normal' ? candidate.columns : candidate.columns.map((column) => column.replace(/ DESC$/, ''));
      if (columns.length !== wanted.length || columns.some((column, i) => column !== wanted[i])) return false;
      if (index.type === 'id') return candidate.primary;
      if (index.type === 'unique') return candidate.unique;
      return true;
    });
    if (candidates.length === 0) {
      const near = actual.filter((candidate) => candidate.columns.map((column) => column.replace(/ DESC$/, '')).join() === plainColumns.join());
      const hint = near.length
        ? `; found ${near.map((candidate) => `${candidate.name} ${list(candidate.columns)}${candidate.unique ? ' unique' : ''}${candidate.partial ? ' partial' : ''}`).join(', ')}`
        : '';
      differences.push(`${described}: missing${index.type === 'normal' ? ` (wanted ${list(wanted)})` : ''}${hint}`);
    }
    for (const candidate of candidates) matched.add(candidate.name);
  }

  for (const index of actual) {
    if (!matched.has(index.name)) {
      differences.push(`index ${index.name} on ${table} ${list(index.columns)}${index.unique ? ' (unique)' : ''}: exists in the database but not in model ${model.name}`);
    }
  }
  return differences;
}

function compareForeignKeys(model: Model, datamodel: Datamodel, catalog: Catalog): string[] {
  const differences: string[] = [];
  const table = tableName(model);
  const actual = catalog.foreignKeys.filter((foreignKey) => foreignKey.table === table);
  const matched = new Set<string>();

  for (const field of model.fields) {
    if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
    const target = datamodel.models.find((candidate) => candidate.name === field.type);
    if (!target) {
      differences.push(`relation ${model.name}.${field.name}: model ${field.type} not found`);
      continue;
    }
    const columnOf = (owner: Model) => (name: string) => {
      const scalar = owner.fields.find((candidate) => candidate.name === name);
      return scalar ? columnName(scalar) : name;
    };
    const columns = field.relationFromFields.map(columnOf(model));
    const referencedColumns = (field.relationToFields ?? []).map(columnOf(target));
    const referencedTable = tableName(target);
    // Prisma's defaults: Restrict when the relation is required, SetNull when optional; Cascade on update.
    const anyOptional = field.relationFromFields.some((name) => !model.fields.find((candidate) => candidate.name === name)?.isRequired);
    const onDelete = field.relationOnDelete ?? (anyOptional ? 'SetNull' : 'Restrict');
    const onUpdate = field.relationOnUpdate ?? 'Cascade';
    const described = `foreign key ${table} ${list(columns)} → ${referencedTable} ${list(referencedColumns)}`;

    const found = actual.find(
      (foreignKey) =>
        foreignKey.referencedTable === referencedTable &&
        foreignKey.columns.join() === columns.join() &&
        foreignKey.referencedColumns.join() === referencedColumns.join(),
    );
    if (!found) {
      differences.push(`${described}: missing (relation ${model.name}.${field.name})`);
      continue;
    }
    matched.add(found.name);
    if (found.onDelete !== onDelete) differences.push(`${described}: ON DELETE is ${found.onDelete}, the schema says ${onDelete}`);
    if (found.onUpdate !== onUpdate) differences.push(`${described}: ON UPDATE is ${found.onUpdate}, the schema says ${onUpdate}`);
  }

  for (const foreignKey of actual) {
    if (!matched.has(foreignKey.name)) {
      differences.push(
        `foreign key ${foreignKey.name} on ${table} ${list(foreignKey.columns)} → ${foreignKey.referencedTable}: exists in the database but no relation declares it`,
      );
    }
  }
  return differences;
}

function compareEnums(datamodel: Datamodel, catalog: Catalog): string[] {
  const differences: string[] = [];
  const expectedNames = new Set<string>();
  for (const enumDef of datamodel.enums) {
    const name = enumDef.dbName ?? enumDef.name;
    expectedNames.add(name);
    const values = enumDef.values.map((value) => value.dbName ?? value.name);
    const actual = catalog.enums.get(name);
    if (!actual) {
      differences.push(`enum ${name}: missing (enum ${enumDef.name})`);
      continue;
    }
    const missing = values.filter((value) => !actual.includes(value));
    const extra = actual.filter((value) => !values.includes(value));
    if (missing.length) differences.push(`enum ${name}: values missing from the database: ${missing.join(', ')}`);
    if (extra.length) differences.push(`enum ${name}: values in the database but not in the schema: ${extra.join(', ')}`);
    if (!missing.length && !extra.length && actual.join() !== values.join()) {
      differences.push(`enum ${name}: values are ordered ${list(actual)}, the schema says ${list(values)}`);
    }
  }
  for (const name of catalog.enums.keys()) {
    if (!expectedNames.has(name)) differences.push(`enum ${name}: exists in the database but not in the schema`);
  }
  return differences;
}
