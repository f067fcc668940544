// The operator's `slugify` (gosimple/slug with MaxLength 63 and smart truncation): a label-safe lower-case
// slug. Non-Latin letters have no ASCII transliteration here and become dashes (gosimple/unidecode differs).

const MAX_LENGTH = 63;
const SUBSTITUTIONS: Record<string, string> = {
  '"': '',
  "'": '',
  '\u2019': '',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '&': 'and',
  '@': 'at',
};

export function slugify(input: string): string {
  let slug = [...input.trim()].map((c) => SUBSTITUTIONS[c] ?? c).join('');
  // Accented Latin letters lose their marks, as unidecode does.
  slug = slug.normalize('NFKD').replace(/\p{M}/gu, '');
  slug = slug.toLowerCase();
  slug = slug.replace(/[^a-zA-Z0-9\-_]/g, '-');
  slug = slug.replace(/-+/g, '-');
  slug = slug.replace(/^[-_]+|[-_]+$/g, '');
  if (slug.length > MAX_LENGTH) {
    // Cut at the last dash at or before the limit; one long word is cut at the limit.
    const dash = slug.lastIndexOf('-', MAX_LENGTH);
    slug = dash >= 0 ? slug.slice(0, dash) : slug.slice(0, MAX_LENGTH);
  }
  return slug;
}
