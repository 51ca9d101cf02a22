export { runStorageContract } from './storage-contract'
