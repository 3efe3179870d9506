export { createIdentityKey, loadIdentityKey } from './key-file.js'
export { KeyInvalidError, KeyMissingError, KeyPermissionsError } from './errors.js'
