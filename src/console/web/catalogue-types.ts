/**
 * @module The shape of the console's API catalogue (`GET /_yunbox/console/api/catalogue`), shared
 * by the server that builds it (`../catalogue.ts`, from the operation declarations) and the page
 * that generates its forms from it. No imports: the page's bundle and the server both use it.
 */

/** A parameter: its declaration (`protocol/rpc-schema.ts` `ParamInfo`), and where OSS sends it. */
export interface CatalogueParam {
  type: 'string' | 'integer' | 'boolean' | 'json-array' | 'list' | 'object-list';
  required: boolean;
  doc?: string;
  min?: number;
  max?: number;
  /** A JavaScript regular expression source. */
  pattern?: string;
  enum?: readonly string[];
  /** Fields of each item of an `object-list`. */
  fields?: Record<string, CatalogueParam>;
  /** OSS only: the path (bucket, key), a query parameter, a header, or the body. */
  in?: 'path' | 'query' | 'header' | 'body';
}

/** One operation. */
export interface CatalogueOperation {
  name: string;
  doc: string;
  readOnly: boolean;
  /** RAM actions checked before the handler runs (or that the handler checks itself). */
  actions: string[];
  /** Resource templates of those checks (`{RoleName}` stands for the parameter's value). */
  resources: string[];
  /** `declared`: checked as declared; `handler`: the handler checks; `none`: no permission. */
  authz: 'declared' | 'handler' | 'none';
  params: Record<string, CatalogueParam>;
  /** OSS only: how the request is made. */
  oss?: {
    method: string;
    level: 'service' | 'bucket' | 'object';
    /** Query parameters always sent (sub-resources; `null`: a bare name). */
    query: Array<[string, string | null]>;
  };
}

/** One product. */
export interface CatalogueProduct {
  product: string;
  /** API version (RPC); `''` for OSS. */
  version: string;
  protocol: 'rpc' | 'oss';
  /** The official Tea SDK package, when there is one (`@alicloud/ram20150501`). */
  sdkPackage?: string;
  operations: CatalogueOperation[];
}

/** The catalogue. */
export interface Catalogue {
  region: string;
  products: CatalogueProduct[];
}
