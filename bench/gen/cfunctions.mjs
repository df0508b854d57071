/**
 * Function templates for the generated C project: the loops, tables, structs, switches and
 * library calls of ordinary C, so each translation unit costs what real code costs to compile.
 * Each template takes a name prefix `p` and the PRNG `r`; returns { decl, body }.
 */
export const templates = [
  function hash(p, r) {
    const m = r.pick(['0x01000193u', '0x9e3779b1u', '0x85ebca6bu']);
    return {
      decl: `uint32_t ${p}_hash(const void *data, size_t len)`,
      body: `uint32_t ${p}_hash(const void *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    uint32_t h = ${r.int(1, 1 << 30)}u;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= ${m};
        h = (h << ${r.int(3, 13)}) | (h >> ${32 - r.int(3, 13)});
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}
`,
    };
  },
  function sort(p, r) {
    return {
      decl: `void ${p}_sort(struct fx_item *items, size_t n)`,
      body: `static int ${p}_cmp(const struct fx_item *a, const struct fx_item *b)
{
    if (a->weight != b->weight)
        return a->weight < b->weight ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? ${r.pick(['-1 : 1', '1 : -1'])};
    return strncmp(a->name, b->name, sizeof a->name);
}

void ${p}_sort(struct fx_item *items, size_t n)
{
    if (n < ${r.int(8, 24)}) {
        for (size_t i = 1; i < n; i++) {
            struct fx_item key = items[i];
            size_t j = i;
            while (j > 0 && ${p}_cmp(&items[j - 1], &key) > 0) {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = key;
        }
        return;
    }
    struct fx_item pivot = items[n / 2];
    size_t i = 0, j = n - 1;
    for (;;) {
        while (${p}_cmp(&items[i], &pivot) < 0) i++;
        while (${p}_cmp(&items[j], &pivot) > 0) j--;
        if (i >= j) break;
        struct fx_item t = items[i];
        items[i] = items[j];
        items[j] = t;
        i++;
        j--;
    }
    ${p}_sort(items, j + 1);
    ${p}_sort(items + j + 1, n - j - 1);
}
`,
    };
  },
  function parse(p, r) {
    const sep = r.pick(["','", "';'", "'|'", "':'"]);
    return {
      decl: `int ${p}_parse(const char *text, struct fx_item *out, int max)`,
      body: `int ${p}_parse(const char *text, struct fx_item *out, int max)
{
    int n = 0;
    enum { FIELD_ID, FIELD_NAME, FIELD_WEIGHT } field = FIELD_ID;
    struct fx_item cur;
    size_t name_len = 0;
    memset(&cur, 0, sizeof cur);
    for (const char *c = text; n < max; c++) {
        switch (*c) {
        case ${sep}:
            field = field == FIELD_WEIGHT ? FIELD_ID : field + 1;
            break;
        case '\\n':
        case '\\0':
            if (cur.id || name_len) {
                out[n++] = cur;
                memset(&cur, 0, sizeof cur);
                name_len = 0;
            }
            field = FIELD_ID;
            if (*c == '\\0')
                return n;
            break;
        default:
            if (field == FIELD_ID && isdigit((unsigned char)*c))
                cur.id = cur.id * 10 + (uint32_t)(*c - '0');
            else if (field == FIELD_NAME && name_len + 1 < sizeof cur.name)
                cur.name[name_len++] = *c;
            else if (field == FIELD_WEIGHT && isdigit((unsigned char)*c))
                cur.weight = cur.weight * ${r.pick(['10.0', '10.0f'])} + (*c - '0');
            break;
        }
    }
    return n;
}
`,
    };
  },
  function ring(p, r) {
    const cap = 1 << r.int(4, 9);
    return {
      decl: `int ${p}_ring_push(struct fx_ring *q, int64_t v);\nint64_t ${p}_ring_drain(struct fx_ring *q)`,
      body: `int ${p}_ring_push(struct fx_ring *q, int64_t v)
{
    if (q->cap == 0) {
        q->cap = ${cap};
        q->buf = calloc(q->cap, sizeof *q->buf);
        if (!q->buf)
            return -1;
    }
    if (q->len == q->cap) {
        size_t ncap = q->cap * 2;
        int64_t *nb = malloc(ncap * sizeof *nb);
        if (!nb)
            return -1;
        for (size_t i = 0; i < q->len; i++)
            nb[i] = q->buf[(q->head + i) % q->cap];
        free(q->buf);
        q->buf = nb;
        q->head = 0;
        q->cap = ncap;
    }
    q->buf[(q->head + q->len) % q->cap] = v;
    q->len++;
    return 0;
}

int64_t ${p}_ring_drain(struct fx_ring *q)
{
    int64_t sum = 0;
    while (q->len) {
        sum += q->buf[q->head] * ${r.int(2, 9)};
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    return sum;
}
`,
    };
  },
  function matrix(p, r) {
    const n = r.int(3, 6);
    return {
      decl: `double ${p}_matrix(const double *a, const double *b, double *c)`,
      body: `double ${p}_matrix(const double *a, const double *b, double *c)
{
    double trace = 0.0;
    for (int i = 0; i < ${n}; i++) {
        for (int j = 0; j < ${n}; j++) {
            double s = 0.0;
            for (int k = 0; k < ${n}; k++)
                s += a[i * ${n} + k] * b[k * ${n} + j];
            c[i * ${n} + j] = s;
        }
        trace += c[i * ${n} + i];
    }
    for (int i = 0; i < ${n * n}; i++)
        c[i] = c[i] / (trace == 0.0 ? 1.0 : trace) + sqrt(fabs(c[i])) * ${r.int(1, 9)}.${r.int(0, 9)};
    return trace;
}
`,
    };
  },
  function list(p, r) {
    return {
      decl: `size_t ${p}_list(const uint32_t *keys, size_t n)`,
      body: `struct ${p}_node {
    struct ${p}_node *next;
    uint32_t key;
    uint32_t count;
};

static struct ${p}_node *${p}_find(struct ${p}_node *head, uint32_t key)
{
    for (; head; head = head->next)
        if (head->key == key)
            return head;
    return NULL;
}

size_t ${p}_list(const uint32_t *keys, size_t n)
{
    struct ${p}_node *head = NULL;
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = keys[i] % ${r.int(17, 257)}u;
        struct ${p}_node *e = ${p}_find(head, k);
        if (e) {
            e->count++;
            continue;
        }
        e = malloc(sizeof *e);
        if (!e)
            break;
        e->key = k;
        e->count = 1;
        e->next = head;
        head = e;
        distinct++;
    }
    while (head) {
        struct ${p}_node *next = head->next;
        free(head);
        head = next;
    }
    return distinct;
}
`,
    };
  },
  function machine(p, r) {
    const states = ['IDLE', 'OPEN', 'READ', 'WRITE', 'FLUSH', 'CLOSE', 'ERROR'].slice(0, r.int(4, 7));
    const cases = states.map((s, i) => `    case ${p.toUpperCase()}_${s}:
        if (ev == ${i} || ev > ${r.int(5, 40)})
            st = ${p.toUpperCase()}_${states[(i + 1) % states.length]};
        else if (ev % ${r.int(2, 5)} == 0)
            st = ${p.toUpperCase()}_${states[(i + states.length - 1) % states.length]};
        acc += ${r.int(1, 99)} * (ev + ${i});
        break;
`).join('');
    return {
      decl: `int ${p}_machine(const int *events, int n)`,
      body: `enum ${p}_state { ${states.map((s) => `${p.toUpperCase()}_${s}`).join(', ')} };

int ${p}_machine(const int *events, int n)
{
    enum ${p}_state st = ${p.toUpperCase()}_${states[0]};
    long acc = 0;
    for (int i = 0; i < n; i++) {
        int ev = events[i];
        switch (st) {
${cases}        }
    }
    return (int)(acc % ${r.int(1000, 100000)}) + (int)st;
}
`,
    };
  },
  function format(p, r) {
    return {
      decl: `int ${p}_format(char *buf, size_t size, const struct fx_item *items, int n)`,
      body: `int ${p}_format(char *buf, size_t size, const struct fx_item *items, int n)
{
    size_t off = 0;
    for (int i = 0; i < n && off < size; i++) {
        int w = snprintf(buf + off, size - off, "${r.pick(['%u:%s:%.2f', '[%u] %s = %.3f', '%u\\t%s\\t%g'])}\\n",
                         (unsigned)items[i].id, items[i].name, items[i].weight);
        if (w < 0)
            return -1;
        off += (size_t)w;
    }
    if (off >= size && size)
        buf[size - 1] = '\\0';
    return (int)off;
}
`,
    };
  },
  function search(p, r) {
    return {
      decl: `long ${p}_search(const int32_t *sorted, long n, int32_t key)`,
      body: `long ${p}_search(const int32_t *sorted, long n, int32_t key)
{
    long lo = 0, hi = n - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (sorted[mid] == key)
            return mid;
        if (sorted[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -(lo + ${r.int(1, 3)});
}
`,
    };
  },
  function crc(p, r) {
    const poly = r.pick(['0xEDB88320u', '0x82F63B78u', '0xEB31D82Eu']);
    return {
      decl: `uint32_t ${p}_crc(const unsigned char *data, size_t len)`,
      body: `static uint32_t ${p}_table[256];
static int ${p}_ready;

static void ${p}_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? ${poly} ^ (c >> 1) : c >> 1;
        ${p}_table[i] = c;
    }
    ${p}_ready = 1;
}

uint32_t ${p}_crc(const unsigned char *data, size_t len)
{
    if (!${p}_ready)
        ${p}_init();
    uint32_t c = 0xFFFFFFFFu;
    while (len--)
        c = ${p}_table[(c ^ *data++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
`,
    };
  },
];
