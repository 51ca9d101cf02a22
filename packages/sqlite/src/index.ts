export type { Migration } from './schema'
export { migrations } from './schema'
export type { SqliteStoreOptions } from './sqlite-store'
export { SqliteStore } from './sqlite-store'
