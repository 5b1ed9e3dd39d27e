// The assignment benchmark on LEMON: the largest number of wishes matched,
// then the least total walk, solved with NetworkSimplex and CostScaling.
//
//   g++ -O2 -o lemon lemon.cc -llemon
//   ./lemon DIR [--capacity N] [--assignment PREFIX]
//
// Reads DIR/edges.csv (wish_id,volunteer_id,walk_minutes) and the capacity
// from DIR/instance.json unless --capacity is given. The network is
// source -> wish (capacity 1) -> volunteer (capacity 1, cost = minutes in
// 1e-4 units) -> sink (capacity N). Preflow finds the largest flow F, then
// each min-cost algorithm sends exactly F from source to sink, so no large
// costs are mixed in. "seconds" times Preflow plus the algorithm's run (the
// network is built once, outside the clock). One JSON line per algorithm;
// with --assignment, PREFIX-<algorithm>.csv gets its wish_id,volunteer_id
// pairs for check.py.
#include <lemon/cost_scaling.h>
#include <lemon/network_simplex.h>
#include <lemon/preflow.h>
#include <lemon/smart_graph.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace lemon;
typedef SmartDigraph G;
typedef long long Cost;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// minutes parses "12.3456" as 123456 exactly.
static Cost minutes(const char* s) {
  Cost whole = 0, frac = 0;
  int digits = 0;
  for (; *s && *s != '.'; s++) whole = whole * 10 + (*s - '0');
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9' && digits < 4; s++, digits++) frac = frac * 10 + (*s - '0');
  for (; digits < 4; digits++) frac *= 10;
  return whole * 10000 + frac;
}

static int capacityFromJSON(const std::string& dir) {
  std::ifstream f(dir + "/instance.json");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  size_t i = s.find("\"capacity\"");
  if (i == std::string::npos) return -1;
  i = s.find(':', i);
  return i == std::string::npos ? -1 : atoi(s.c_str() + i + 1);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: lemon DIR [--capacity N] [--assignment PREFIX]\n");
    return 2;
  }
  std::string dir = argv[1], prefix;
  int capacity = -1;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--capacity")) capacity = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--assignment")) prefix = argv[i + 1];
  }
  if (capacity < 0) capacity = capacityFromJSON(dir);
  if (capacity < 0) {
    fprintf(stderr, "lemon: no capacity in %s/instance.json; give --capacity\n", dir.c_str());
    return 2;
  }

  FILE* f = fopen((dir + "/edges.csv").c_str(), "r");
  if (!f) {
    perror("edges.csv");
    return 1;
  }
  std::unordered_map<std::string, int> wishes, vols;
  std::vector<std::string> wishIDs, volIDs;
  std::vector<int> ew, ev;
  std::vector<Cost> ec;
  char line[512];
  if (!fgets(line, sizeof line, f)) return 1;  // header
  while (fgets(line, sizeof line, f)) {
    char* a = strchr(line, ',');
    if (!a) continue;
    char* b = strchr(a + 1, ',');
    if (!b) continue;
    std::string w(line, a - line), v(a + 1, b - a - 1);
    auto wi = wishes.emplace(w, (int)wishIDs.size());
    if (wi.second) wishIDs.push_back(w);
    auto vi = vols.emplace(v, (int)volIDs.size());
    if (vi.second) volIDs.push_back(v);
    ew.push_back(wi.first->second);
    ev.push_back(vi.first->second);
    ec.push_back(minutes(b + 1));
  }
  fclose(f);

  G g;
  int nw = wishIDs.size(), nv = volIDs.size();
  g.reserveNode(nw + nv + 2);
  g.reserveArc(nw + nv + ew.size());
  G::Node src = g.addNode(), sink = g.addNode();
  std::vector<G::Node> wn(nw), vn(nv);
  for (int i = 0; i < nw; i++) wn[i] = g.addNode();
  for (int i = 0; i < nv; i++) vn[i] = g.addNode();
  G::ArcMap<int> cap(g);
  G::ArcMap<Cost> cost(g);
  for (int i = 0; i < nw; i++) {
    G::Arc a = g.addArc(src, wn[i]);
    cap[a] = 1;
    cost[a] = 0;
  }
  std::vector<G::Arc> edgeArc(ew.size());
  for (size_t i = 0; i < ew.size(); i++) {
    G::Arc a = g.addArc(wn[ew[i]], vn[ev[i]]);
    cap[a] = 1;
    cost[a] = ec[i];
    edgeArc[i] = a;
  }
  for (int i = 0; i < nv; i++) {
    G::Arc a = g.addArc(vn[i], sink);
    cap[a] = capacity;
    cost[a] = 0;
  }

  // Phase one: the largest number of wishes that can be matched.
  double t0 = now();
  Preflow<G, G::ArcMap<int>> pf(g, cap, src, sink);
  pf.runMinCut();
  int flow = pf.flowValue();
  double preflow = now() - t0;

  G::ArcMap<int> flowMap(g);
  auto report = [&](const char* name, double seconds, Cost total) {
    int matched = 0;
    for (size_t i = 0; i < ew.size(); i++) matched += flowMap[edgeArc[i]] > 0;
    printf("{\"solver\":\"%s\",\"matched\":%d,\"total_minutes\":%.4f,\"seconds\":%.4f,\"preflow_seconds\":%.4f}\n",
           name, matched, total / 1e4, seconds, preflow);
    fflush(stdout);
    if (!prefix.empty()) {
      std::ofstream out(prefix + "-" + name + ".csv");
      out << "wish_id,volunteer_id\n";
      for (size_t i = 0; i < ew.size(); i++)
        if (flowMap[edgeArc[i]] > 0) out << wishIDs[ew[i]] << ',' << volIDs[ev[i]] << '\n';
    }
  };
  {
    double t = now();
    NetworkSimplex<G, int, Cost> ns(g);
    ns.upperMap(cap).costMap(cost).stSupply(src, sink, flow);
    if (ns.run() != NetworkSimplex<G, int, Cost>::OPTIMAL) {
      fprintf(stderr, "lemon: network simplex found no optimum\n");
      return 1;
    }
    double took = now() - t;
    ns.flowMap(flowMap);
    report("lemon-network-simplex", preflow + took, ns.totalCost());
  }
  {
    double t = now();
    CostScaling<G, int, Cost> cs(g);
    cs.upperMap(cap).costMap(cost).stSupply(src, sink, flow);
    if (cs.run() != CostScaling<G, int, Cost>::OPTIMAL) {
      fprintf(stderr, "lemon: cost scaling found no optimum\n");
      return 1;
    }
    double took = now() - t;
    cs.flowMap(flowMap);
    report("lemon-cost-scaling", preflow + took, cs.totalCost());
  }
  return 0;
}
