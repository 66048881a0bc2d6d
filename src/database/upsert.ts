import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** Which columns identify a row, and which keep the value of its first insert when it is written again (by property). */
export interface UpsertKeys<Row> {
  readonly key: readonly (keyof Row & string)[];
  readonly kept: readonly (keyof Row & string)[];
}

/** An upsert of an entity's every column, and the properties its parameters stand for, in order. */
export interface UpsertStatement<Row> {
  readonly sql: string;
  readonly fields: readonly (keyof Row & string)[];
}

/**
 * `INSERT` of `rowCount` rows of `entity`, every column as its entity describes it, that on a
 * conflict on `key` sets every column again but the key and `kept`. `placeholder` writes the
 * dialect's parameter: given the property and the parameter's number, counted from 1 across rows.
 */
export function upsertStatement<Row extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<Row>,
  keys: UpsertKeys<Row>,
  placeholder: (field: keyof Row & string, parameter: number) => string,
  rowCount = 1,
): UpsertStatement<Row> {
  const metadata = dataSource.getMetadata(entity);
  const columns = metadata.columns.map((column) => ({ name: column.databaseName, field: column.propertyName }));
  const fields = columns.map((column) => column.field);
  const notSetAgain = new Set<string>([...keys.key, ...keys.kept]);
  const values = Array.from(
    { length: rowCount },
    (_, row) => `(${fields.map((field, index) => placeholder(field, row * fields.length + index + 1)).join(', ')})`,
  );
  const columnOf = (field: string) => columns.find((column) => column.field === field)!.name;
  const setAgain = columns.filter((column) => !notSetAgain.has(column.field)).map((column) => `${column.name} = excluded.${column.name}`);
  return {
    sql:
      `INSERT INTO ${metadata.tableName} (${columns.map((column) => column.name).join(', ')}) VALUES ${values.join(', ')} ` +
      `ON CONFLICT (${keys.key.map(columnOf).join(', ')}) DO UPDATE SET ${setAgain.join(', ')}`,
    fields,
  };
}
