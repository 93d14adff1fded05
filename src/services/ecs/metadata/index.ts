/**
 * @module The instance metadata service: the handler every listener shares, the plain
 * `--metadata-listen` listener, hardened-mode tokens, the tree and the identity signature. Sandboxes (src/sandbox) use
 * {@link createMetadataHandler} through `EcsService.metadataHandler()`.
 */
export {
  createMetadataHandler,
  credentialDocument,
  DEFAULT_FAULT_DELAY_MS,
  MAX_FAULT_DELAY_MS,
  METADATA_VERSIONS,
  type MetadataDeps,
  type MetadataHandler,
  type MetadataTrailFacts,
} from './handler.js';
export {
  audienceProblem,
  identityCertificateAdmin,
  IDENTITY_CERTIFICATE_PATH,
  IdentitySigner,
  MAX_AUDIENCE_LENGTH,
  signedContent,
} from './identity.js';
export {
  loopbackAddress,
  METADATA_LOOPBACK_PREFIX,
  PlainMetadataListener,
  seqOfLoopbackAddress,
  type PlainEndpoint,
  type PlainListenerOptions,
} from './plain-listener.js';
export { issueMetadataToken, MAX_TOKEN_TTL_SECONDS, verifyMetadataToken } from './tokens.js';
export { identityDocument, metaDataTree, NAMESERVERS, NTP_SERVERS } from './tree.js';
