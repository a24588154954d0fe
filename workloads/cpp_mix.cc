// cpp_mix: what a C++ program asks of the allocator: new and delete of
// objects of many sizes (with sized delete), std::string, and the standard
// containers, in one thread or several that hand containers to each other.
//
// Each of --threads threads makes --rounds rounds. A round has three parts
// (--mix picks one, or all):
//   objects     OBJ_STEPS replacements in a window of --objects live objects:
//               a random slot's object is checked and deleted, a new one is
//               created: `new Obj<N>` for N in 16..512 (deleted with `delete`,
//               which calls the sized operator delete), a raw
//               `::operator new(n)` of 1..4096 bytes (released with the sized
//               `::operator delete(p, n)`), or `new uint64_t[k]` (`delete[]`).
//               Every object is tagged (common.h) and checked before delete.
//   strings     --strings std::string slots: each is checked, then replaced
//               by a new string of 0..255 characters built by appending
//               pieces (so its buffer grows), plus a substring-and-concatenate
//               temporary.
//   containers  a std::vector<uint64_t> grown by push_back to 4 x --entries;
//               a std::map<std::string, Payload> and a
//               std::unordered_map<uint64_t, std::string> of --entries
//               entries: inserted, looked up, every third erased, the rest
//               checked. With several threads the map is then handed to the
//               next thread (a mutex-protected mailbox), which checks and
//               destroys it: its nodes, keys and vectors are freed by another
//               thread than the one that allocated them.
// The driver's own tables (object slots, string slots) come from mmap; the
// string objects in them are built there with placement new, so in the
// objects and strings parts every heap block is one the driver checks. The
// containers' own nodes are not checked (their first bytes are the library's
// links: damage there may crash rather than be reported); what they hold is.
//
// One op is one element operation: an object created or deleted, a string
// built, a container element inserted, looked up or erased. The op count is
// fixed by the options and the seed. The JSON adds `new_allocator`: the file
// that serves `operator new` (dladdr, as `allocator` for malloc).
#include "common.h"

#include <dlfcn.h>
#include <pthread.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr unsigned OBJ_STEPS = 64;      // object replacements per round
constexpr unsigned MAX_THREADS = 64;
constexpr unsigned MAX_STRING = 255;

enum { MIX_ALL, MIX_OBJECTS, MIX_STRINGS, MIX_CONTAINERS };
const char *const mix_names[] = {"all", "objects", "strings", "containers", nullptr};

struct Config {
  uint64_t threads = 1, rounds = 3000, objects = 512, strings = 32, entries = 64, seed = 42;
  unsigned mix = MIX_ALL;
} cfg;

// ---- objects -----------------------------------------------------------------

template <size_t N> struct Obj { unsigned char bytes[N]; };

// Kinds 0..7: Obj<N>; 8: raw operator new; 9: uint64_t array.
constexpr unsigned KIND_RAW = 8, KIND_ARRAY = 9, KINDS = 10;
constexpr uint32_t obj_size[8] = {16, 32, 48, 64, 96, 128, 256, 512};

struct ObjSlot {
  wl_block b;       // b.p == nullptr: empty
  unsigned kind;
};

void *create(unsigned kind, uint32_t size) {
  switch (kind) {
  case 0: return new Obj<16>;
  case 1: return new Obj<32>;
  case 2: return new Obj<48>;
  case 3: return new Obj<64>;
  case 4: return new Obj<96>;
  case 5: return new Obj<128>;
  case 6: return new Obj<256>;
  case 7: return new Obj<512>;
  case KIND_RAW: return ::operator new(size);
  default: return new uint64_t[size / 8];
  }
}

void destroy(unsigned kind, void *p, uint32_t size) {
  switch (kind) {
  case 0: delete static_cast<Obj<16> *>(p); break;
  case 1: delete static_cast<Obj<32> *>(p); break;
  case 2: delete static_cast<Obj<48> *>(p); break;
  case 3: delete static_cast<Obj<64> *>(p); break;
  case 4: delete static_cast<Obj<96> *>(p); break;
  case 5: delete static_cast<Obj<128> *>(p); break;
  case 6: delete static_cast<Obj<256> *>(p); break;
  case 7: delete static_cast<Obj<512> *>(p); break;
  case KIND_RAW: ::operator delete(p, size); break;
  default: delete[] static_cast<uint64_t *>(p); break;
  }
}

// ---- strings -------------------------------------------------------------------

// Character i of the string with seed h.
inline char str_char(uint64_t h, size_t i) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz012345";
  return alphabet[(uint32_t)((h + i) * 0x9E3779B1u) >> 27];
}

inline size_t str_len(uint64_t h) { return (size_t)(h >> 56); }   // 0..255

std::string build_string(uint64_t h) {
  std::string s;
  size_t n = str_len(h), i = 0;
  while (i < n) {
    size_t piece = 1 + ((h >> (i & 31)) & 31);
    if (piece > n - i) piece = n - i;
    for (size_t k = 0; k < piece; k++, i++) s.push_back(str_char(h, i));
  }
  return s;
}

void check_string(const std::string &s, uint64_t h, const char *where) {
  size_t n = str_len(h);
  if (s.size() != n)
    wl_corruption_msg("string (%s) has %zu characters, expected %zu", where, s.size(), n);
  for (size_t i = 0; i < n; i++)
    if (s[i] != str_char(h, i))
      wl_corruption_msg("string at %p (%s, %zu characters): character %zu is 0x%02x, expected "
                        "'%c'", (const void *)s.data(), where, n, i, (unsigned char)s[i],
                        str_char(h, i));
}

// ---- containers ------------------------------------------------------------------

struct Payload {
  uint64_t check;
  std::vector<uint32_t> vals;
};
using Map = std::map<std::string, Payload>;

uint64_t fnv(const std::string &s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string key_of(uint64_t id) {
  char buf[32];
  snprintf(buf, sizeof buf, "key:%016llx", (unsigned long long)wl_seed_state(id, 7));
  return std::string(buf);   // 20 characters: beyond the short-string buffer
}

void check_map(const Map &m, const char *where) {
  for (const auto &kv : m) {
    uint64_t h = fnv(kv.first);
    if (kv.second.check != h || kv.second.vals.size() != (h & 15))
      wl_corruption_msg("map entry '%.40s' (%s): check %016llx, expected %016llx",
                        kv.first.c_str(), where, (unsigned long long)kv.second.check,
                        (unsigned long long)h);
    for (size_t i = 0; i < kv.second.vals.size(); i++)
      if (kv.second.vals[i] != (uint32_t)(h + i))
        wl_corruption_msg("map entry '%.40s' (%s): value %zu changed", kv.first.c_str(),
                          where, i);
  }
}

struct Mailbox {
  std::mutex lock;
  Map *map = nullptr;
};
Mailbox boxes[MAX_THREADS];

struct Counts {
  uint64_t news = 0, deletes = 0, strings = 0, inserts = 0, lookups = 0, erases = 0;
  uint64_t handed = 0;
  double start = 0, end = 0;    // this thread's window
};

struct Worker {
  unsigned id;
  Counts c;
  pthread_t tid;
} __attribute__((aligned(64)));

pthread_barrier_t start_barrier;

void objects_round(ObjSlot *slots, uint32_t n, uint64_t &rng, uint32_t &salt, Counts &c) {
  for (unsigned i = 0; i < OBJ_STEPS; i++) {
    uint64_t r = wl_rand(&rng);
    ObjSlot &s = slots[wl_scale((uint32_t)r, n)];
    if (s.b.p) {
      wl_check(&s.b, "object window");
      destroy(s.kind, s.b.p, s.b.size);
      c.deletes++;
    }
    unsigned kind = wl_scale((uint32_t)(r >> 32), KINDS);
    uint32_t size = kind < 8 ? obj_size[kind]
                  : kind == KIND_RAW ? 1 + ((uint32_t)(r >> 20) & 4095)
                                     : 16 + 8 * ((uint32_t)(r >> 20) & 127);
    void *p = create(kind, size);
    s.kind = kind;
    wl_set(&s.b, p, size, salt++);
    c.news++;
  }
}

void strings_round(std::string *strs, uint64_t *seeds, uint32_t n, uint64_t &rng, Counts &c) {
  for (uint32_t j = 0; j < n; j++) {
    check_string(strs[j], seeds[j], "string slot");
    uint64_t h = wl_rand(&rng);
    strs[j] = build_string(h);          // the old buffer is freed here
    seeds[j] = h;
    c.strings++;
  }
  // A temporary: substring of one, concatenated with another.
  uint32_t a = wl_scale((uint32_t)wl_rand(&rng), n), b = wl_scale((uint32_t)wl_rand(&rng), n);
  std::string t = strs[a].substr(0, strs[a].size() / 2) + "/" + strs[b];
  size_t half = str_len(seeds[a]) / 2;
  if (t.size() != half + 1 + strs[b].size() || t[half] != '/' ||
      t.compare(half + 1, std::string::npos, strs[b]) != 0)
    wl_corruption_msg("concatenated string changed");
  c.strings++;
}

Map *containers_round(uint64_t &rng, Counts &c) {
  const uint64_t n = cfg.entries;
  std::vector<uint64_t> v;
  for (uint64_t i = 0; i < 4 * n; i++) v.push_back(i * 0x9e3779b97f4a7c15ull);
  for (uint64_t i = 0; i < 4 * n; i++)
    if (v[i] != i * 0x9e3779b97f4a7c15ull) wl_corruption_msg("vector element %llu changed",
                                                             (unsigned long long)i);
  c.inserts += 4 * n;

  uint64_t base = wl_rand(&rng);
  Map *m = new Map;
  std::unordered_map<uint64_t, std::string> u;
  for (uint64_t i = 0; i < n; i++) {
    std::string k = key_of(base + i);
    uint64_t h = fnv(k);
    Payload p{h, {}};
    for (uint64_t j = 0; j < (h & 15); j++) p.vals.push_back((uint32_t)(h + j));
    m->emplace(std::move(k), std::move(p));
    u.emplace(base + i, build_string(h | 0x1000000000000000ull));
  }
  c.inserts += 2 * n;
  for (uint64_t i = 0; i < n; i++) {
    auto it = m->find(key_of(base + i));
    auto ut = u.find(base + i);
    if (it == m->end() || ut == u.end())
      wl_corruption_msg("entry %llu of this round's containers is missing", (unsigned long long)i);
    check_string(ut->second, it->second.check | 0x1000000000000000ull, "unordered_map value");
  }
  c.lookups += 2 * n;
  for (uint64_t i = 0; i < n; i += 3) {
    m->erase(key_of(base + i));
    u.erase(base + i);
    c.erases += 2;
  }
  check_map(*m, "this round's map");
  return m;
}

void *worker_main(void *arg) {
  Worker *w = static_cast<Worker *>(arg);
  Counts &c = w->c;
  const uint32_t nobj = (uint32_t)cfg.objects, nstr = (uint32_t)cfg.strings;
  ObjSlot *slots = static_cast<ObjSlot *>(wl_mem(sizeof(ObjSlot) * nobj));
  std::string *strs = static_cast<std::string *>(wl_mem(sizeof(std::string) * nstr));
  uint64_t *seeds = static_cast<uint64_t *>(wl_mem(sizeof(uint64_t) * nstr));
  for (uint32_t j = 0; j < nstr; j++) new (&strs[j]) std::string();  // no heap: empty
  uint64_t rng = wl_seed_state(cfg.seed, w->id);
  uint32_t salt = w->id << 24;
  const unsigned threads = (unsigned)cfg.threads;
  const bool objects = cfg.mix == MIX_ALL || cfg.mix == MIX_OBJECTS;
  const bool strings = cfg.mix == MIX_ALL || cfg.mix == MIX_STRINGS;
  const bool containers = cfg.mix == MIX_ALL || cfg.mix == MIX_CONTAINERS;
  pthread_barrier_wait(&start_barrier);
  c.start = wl_now();

  for (uint64_t r = 0; r < cfg.rounds; r++) {
    if (objects) objects_round(slots, nobj, rng, salt, c);
    if (strings) strings_round(strs, seeds, nstr, rng, c);
    if (containers) {
      Map *m = containers_round(rng, c);
      if (threads == 1) {
        delete m;
      } else {
        Map *old, *got;
        {
          std::lock_guard<std::mutex> hold(boxes[(w->id + 1) % threads].lock);
          old = boxes[(w->id + 1) % threads].map;     // not taken yet: ours
          boxes[(w->id + 1) % threads].map = m;
        }
        {
          std::lock_guard<std::mutex> hold(boxes[w->id].lock);
          got = boxes[w->id].map;
          boxes[w->id].map = nullptr;
        }
        if (old) { check_map(*old, "own map, not taken"); delete old; }
        if (got) { check_map(*got, "map from another thread"); delete got; c.handed++; }
      }
    }
  }
  c.end = wl_now();

  for (uint32_t i = 0; i < nobj; i++) {
    if (!slots[i].b.p) continue;
    wl_check(&slots[i].b, "object window, final delete");
    destroy(slots[i].kind, slots[i].b.p, slots[i].b.size);
  }
  for (uint32_t j = 0; j < nstr; j++) {
    check_string(strs[j], seeds[j], "string slot, final");
    strs[j].~basic_string();
  }
  return nullptr;
}

const char *new_allocator_name() {
  void *(*volatile fn)(std::size_t) = static_cast<void *(*)(std::size_t)>(&::operator new);
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(fn), &info) || !info.dli_fname || !*info.dli_fname)
    return "unknown";
  const char *slash = strrchr(info.dli_fname, '/');
  return slash ? slash + 1 : info.dli_fname;
}

}  // namespace

int main(int argc, char **argv) {
  wl_opt opts[] = {
      {.name = "threads", .kind = WL_OPT_U64, .value = &cfg.threads, .ulo = 1,
       .uhi = MAX_THREADS, .help = "threads"},
      {.name = "rounds", .kind = WL_OPT_U64, .value = &cfg.rounds, .ulo = 1, .uhi = 1ull << 32,
       .help = "rounds per thread"},
      {.name = "mix", .kind = WL_OPT_CHOICE, .value = &cfg.mix, .choices = mix_names,
       .help = "parts of a round"},
      {.name = "objects", .kind = WL_OPT_U64, .value = &cfg.objects, .ulo = 1, .uhi = 1u << 24,
       .help = "live objects per thread (64 replaced per round)"},
      {.name = "strings", .kind = WL_OPT_U64, .value = &cfg.strings, .ulo = 1, .uhi = 1u << 20,
       .help = "string slots per thread, all replaced each round"},
      {.name = "entries", .kind = WL_OPT_U64, .value = &cfg.entries, .ulo = 1, .uhi = 1u << 20,
       .help = "map and unordered_map entries per round"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &cfg.seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
  };
  wl_cmd cmd = {
      .name = "cpp_mix",
      .summary = "C++ new/delete (sized), std::string, vector, map and unordered_map; "
                 "threads hand maps to each other",
      .op = "an object created or deleted, a string built, an element inserted, found or erased",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);

  const unsigned threads = (unsigned)cfg.threads;
  Worker *ws = static_cast<Worker *>(wl_mem(sizeof(Worker) * threads));
  pthread_barrier_init(&start_barrier, nullptr, threads + 1);
  for (unsigned t = 0; t < threads; t++) {
    new (&ws[t]) Worker();
    ws[t].id = t;
    int err = pthread_create(&ws[t].tid, nullptr, worker_main, &ws[t]);
    if (err) wl_die("pthread_create: error %d", err);
  }
  pthread_barrier_wait(&start_barrier);
  // The window: from the first thread's start to the last one's end (each
  // notes its own: a short run can be over before main runs again).
  double start = 0, end = 0;
  Counts sum;
  for (unsigned t = 0; t < threads; t++) {
    int err = pthread_join(ws[t].tid, nullptr);
    if (err) wl_die("pthread_join: error %d", err);
    const Counts &c = ws[t].c;
    sum.news += c.news;
    sum.deletes += c.deletes;
    sum.strings += c.strings;
    sum.inserts += c.inserts;
    sum.lookups += c.lookups;
    sum.erases += c.erases;
    sum.handed += c.handed;
    if (t == 0 || c.start < start) start = c.start;
    if (c.end > end) end = c.end;
  }
  for (unsigned t = 0; t < threads; t++) {
    if (!boxes[t].map) continue;
    check_map(*boxes[t].map, "map left in a mailbox");
    delete boxes[t].map;
    boxes[t].map = nullptr;
  }

  uint64_t ops = sum.news + sum.deletes + sum.strings + sum.inserts + sum.lookups + sum.erases;
  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("news", sum.news);
  wl_json_u64("deletes", sum.deletes);
  wl_json_u64("strings_built", sum.strings);
  wl_json_u64("inserts", sum.inserts);
  wl_json_u64("lookups", sum.lookups);
  wl_json_u64("erases", sum.erases);
  wl_json_u64("maps_handed_over", sum.handed);
  wl_json_str("new_allocator", new_allocator_name());
  wl_json_end(&cmd, ops, end - start, threads);
  return 0;
}
