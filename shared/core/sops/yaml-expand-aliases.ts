// YAML aliases expanded into copies before encryption, as sops' yaml.v3 decoding does (SPEC-SOPS §9.1): each
// copy is its own value encrypted with its own key path, so no node is shared between two AADs.
import { isCollection, isScalar, type Node, parseAllDocuments, visit } from 'yaml';

/** The same YAML text with every alias replaced by a copy of its target and the anchors dropped. */
export function expandYamlAliases(text: string): string {
  const docs = parseAllDocuments(text, { keepSourceTokens: true });
  if (!Array.isArray(docs) || !docs.some((d) => hasAlias(d.contents as Node | null))) return text;
  return docs
    .map((doc, i) => {
      // Repeat until no alias is left: a copied target may itself contain aliases.
      for (let round = 0; round < 100 && hasAlias(doc.contents as Node | null); round++) {
        visit(doc, {
          Alias(_, alias) {
            const target = alias.resolve(doc);
            return target ? (target.clone() as Node) : doc.createNode(null);
          },
        });
      }
      visit(doc, {
        Node(_, n) {
          if ((isScalar(n) || isCollection(n)) && n.anchor) n.anchor = undefined;
        },
      });
      const out = doc.toString({ indent: 4, lineWidth: 0 });
      return i === 0 || out.startsWith('---') ? out : `---\n${out}`;
    })
    .join('');
}

function hasAlias(root: Node | null): boolean {
  let found = false;
  visit(root, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}
