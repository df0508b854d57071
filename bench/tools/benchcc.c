/*
 * benchcc: a stand-in C compiler for the no-op benchmark's 10,000-action graph, where real gcc
 * (~70-100 ms a process on a small VM) would make the one-off initial builds take many minutes.
 * The no-op runs that are timed never start a compiler, so they are unaffected.
 *
 * `benchcc ... -c SRC -o OBJ [-MMD -MF DEP] [-Idir]...` writes OBJ (a real object compiled once
 * by gcc, followed by the source bytes so every object differs) and DEP listing the quoted
 * #includes exactly as `gcc -MMD` would (found next to the includer, then along -I, recursively).
 * Only sources that start with the marker line `// benchcc: stand-in` are faked; any other
 * invocation (toolchain queries and probes such as -dumpmachine, -print-prog-name=cc1, links)
 * runs the real gcc. TEMPLATE_O and REAL_GCC are set when bench/lib/benchcc.mjs compiles it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER "// benchcc: stand-in"
#define MAX_PATHS 256
static const char *idirs[64];
static int nidirs;
static char *deps[MAX_PATHS];
static int ndeps;

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
  fclose(f);
  buf[n] = 0;
  if (len) *len = (size_t)n;
  return buf;
}

static int seen(const char *p) {
  for (int i = 0; i < ndeps; i++) if (strcmp(deps[i], p) == 0) return 1;
  return 0;
}

static void scan(const char *file);

/* gcc looks for "name" in the includer's folder first, then along -I in order. */
static void include(const char *from, const char *name) {
  char cand[4096];
  const char *slash = strrchr(from, '/');
  if (slash) snprintf(cand, sizeof cand, "%.*s/%s", (int)(slash - from), from, name);
  else snprintf(cand, sizeof cand, "%s", name);
  for (int i = -1; i < nidirs; i++) {
    if (i >= 0) snprintf(cand, sizeof cand, "%s/%s", idirs[i], name);
    if (access(cand, R_OK) == 0) {
      if (!seen(cand) && ndeps < MAX_PATHS) { deps[ndeps++] = strdup(cand); scan(cand); }
      return;
    }
  }
}

static void scan(const char *file) {
  char *text = slurp(file, NULL);
  if (!text) return;
  for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    char name[1024];
    if (sscanf(line, " #include \"%1023[^\"]\"", name) == 1) include(file, name);
  }
  free(text);
}

int main(int argc, char **argv) {
  const char *src = NULL, *obj = NULL, *dep = NULL;
  int compile = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) { compile = 1; src = argv[++i]; }
    else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) obj = argv[++i];
    else if (strcmp(argv[i], "-MF") == 0 && i + 1 < argc) dep = argv[++i];
    else if (strncmp(argv[i], "-I", 2) == 0 && argv[i][2] && nidirs < 64) idirs[nidirs++] = argv[i] + 2;
  }
  size_t tlen = 0, slen = 0;
  char *code = compile && obj ? slurp(src, &slen) : NULL;
  if (!code || strncmp(code, MARKER, strlen(MARKER)) != 0) {
    argv[0] = REAL_GCC;
    execv(REAL_GCC, argv);
    perror(REAL_GCC);
    return 127;
  }
  char *tmpl = slurp(TEMPLATE_O, &tlen);
  if (!tmpl) { fprintf(stderr, "benchcc: cannot read %s\n", TEMPLATE_O); return 1; }
  FILE *o = fopen(obj, "wb");
  if (!o) { perror(obj); return 1; }
  fwrite(tmpl, 1, tlen, o);
  fwrite(code, 1, slen, o);
  if (fclose(o) != 0) { perror(obj); return 1; }
  if (dep) {
    scan(src);
    FILE *d = fopen(dep, "w");
    if (!d) { perror(dep); return 1; }
    fprintf(d, "%s: %s", obj, src);
    for (int i = 0; i < ndeps; i++) fprintf(d, " \\\n %s", deps[i]);
    fprintf(d, "\n");
    fclose(d);
  }
  return 0;
}
