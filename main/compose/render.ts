// The generated services.yaml text: a header saying where it came from, then the services in map
// form (as in Compose), each with a comment naming its compose origin and what was lost there.
import { Document, isMap, isScalar, Scalar, visit } from 'yaml';

export interface RenderedService {
  name: string;
  raw: Record<string, unknown>;
  /** Comment lines above the service (without `#`). */
  comments: string[];
}

export interface RenderInput {
  header: string[];
  name?: string;
  extensions: Array<[string, unknown]>;
  services: RenderedService[];
}

const FLOW_MAX = 72;
/** Words YAML 1.1 tools (and some editors) read as booleans: quoted so every reader sees text. */
const YAML11_WORDS = /^(?:y|n|yes|no|on|off)$/i;

export function renderServicesYaml(input: RenderInput): string {
  const top: Record<string, unknown> = {};
  if (input.name !== undefined) top.name = input.name;
  for (const [k, v] of input.extensions) top[k] = v;
  top.services = Object.fromEntries(input.services.map((s) => [s.name, s.raw]));
  const doc = new Document(top);
  doc.commentBefore = input.header.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
  for (const pair of isMap(doc.contents) ? doc.contents.items : []) {
    const key = isScalar(pair.key) ? pair.key : null;
    if (key && typeof key.value === 'string' && key.value.startsWith('x-')) {
      key.commentBefore = ' Copied from the compose file; Harness ignores x- fields.';
    }
  }
  const services = doc.get('services', true);
  if (isMap(services)) {
    for (const pair of services.items) {
      const svc = input.services.find((s) => s.name === (isScalar(pair.key) ? pair.key.value : pair.key));
      if (!svc || svc.comments.length === 0) continue;
      const key = isScalar(pair.key) ? pair.key : new Scalar(pair.key);
      key.commentBefore = svc.comments.map((l) => ` ${l}`).join('\n');
      pair.key = key;
    }
  }
  visit(doc, {
    Seq(_, seq) {
      // Short lists of words read best on one line: [postgres, -c, fsync=off].
      if (seq.items.every((it) => isScalar(it)) && JSON.stringify(seq.toJSON()).length <= FLOW_MAX) seq.flow = true;
    },
    Scalar(_, node) {
      // Ports, volumes, references and text with blanks or quotes are quoted, as the Harness docs write them.
      if (typeof node.value === 'string' && (/[:"'#\s]|\$\{/.test(node.value) || YAML11_WORDS.test(node.value))) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
