package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// demoCmd is `linli demo`: seed an empty store with the demo district.
func demoCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	var keysFile string
	cfg, _, err := parseConfig("demo", args, env, stderr, append(storeFlags, "rules"), func(fs *pflag.FlagSet) {
		fs.StringVar(&keysFile, "keys", "", "write the demo's API keys to this file (default: demo-keys.txt in the data folder)")
	})
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger("warn", cfg.Log.Format, stderr)
	a, rulesErr, err := openApp(ctx, cfg, stdout, logger)
	if err != nil {
		return err
	}
	defer a.close()
	if rulesErr != nil {
		return rulesErr
	}
	a.keysFile = keysFile
	keys, err := a.seedDemo(ctx, stderr)
	if err != nil {
		return err
	}
	printDemoKeys(stdout, keys, a.demoKeysPath())
	return nil
}

// serveDemo seeds the demo district for serve --demo when the store is
// empty, and says so when it is not.
func (a *app) serveDemo(ctx context.Context, stdout, stderr io.Writer) error {
	keys, err := a.seedDemo(ctx, stderr)
	switch {
	case errors.Is(err, errNotEmpty):
		fmt.Fprintln(stdout, "--demo: the store holds data already; serving it as it is")
		return nil
	case err != nil:
		return err
	}
	printDemoKeys(stdout, keys, a.demoKeysPath())
	return nil
}

// errNotEmpty is seedDemo's refusal of a store that holds data.
var errNotEmpty = errors.New("the store is not empty")

// demoKeysPath is where the demo's keys are written: the data folder,
// or the working folder with a MongoDB.
func (a *app) demoKeysPath() string {
	if a.keysFile != "" {
		return a.keysFile
	}
	dir := a.cfg.DataDir
	if a.cfg.MongoDB.URI != "" || dir == "" {
		dir = "."
	}
	return filepath.Join(dir, "demo-keys.txt")
}

// demoKey is one key the demo made, for a person to sign in with.
type demoKey struct {
	who, role, key string
}

func printDemoKeys(w io.Writer, keys []demoKey, path string) {
	fmt.Fprintf(w, "demo district seeded. Sign in to the console with one of these keys (also in %s):\n", path)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-14s %s  %s\n", k.role, k.key, k.who)
	}
}

// seedDemo fills an empty store with the demo district through a service
// of its own over a second connection, whose clock walks through the last
// sixty days so that every wish has a true history, and returns the keys
// it made. A store that holds anything is refused.
func (a *app) seedDemo(ctx context.Context, progress io.Writer) ([]demoKey, error) {
	store, err := a.newStore(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Close(context.WithoutCancel(ctx))
	clock := &demoClock{now: time.Now().UTC().Add(-60 * 24 * time.Hour)}
	svc := matcher.NewService(store, a.grid, a.engine, serviceConfig(a.cfg), matcher.WithClock(clock.get), matcher.WithLogger(a.logger))
	if err := svc.Open(ctx); err != nil {
		return nil, err
	}
	if n, _ := svc.Counts(); n > 0 {
		return nil, fmt.Errorf("demo: %w: it holds %d records; the demo district is seeded only into an empty store (use a new --data folder)", errNotEmpty, n)
	}
	d := &demo{svc: svc, clock: clock, r: rand.New(rand.NewPCG(2026, 1201)), bar: newPhaseBar(progress),
		end: time.Now().UTC(), admin: matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleAdmin, KeyPrefix: "linli-demo"})}
	if err := d.seed(ctx); err != nil {
		return nil, err
	}
	d.bar.finish()
	keys, err := d.keys(ctx)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	printDemoKeys(&b, keys, a.demoKeysPath())
	if err := os.WriteFile(a.demoKeysPath(), []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	return keys, nil
}

// demoClock is the seeding service's clock.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) get() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// The demo district, around 30.27 N 120.15 E: three streets of four
// communities. Community 11 lies apart with three volunteers near it and
// many open meal-delivery wishes (strained); community 12 lies farther
// still, with nobody within walking distance and no programme (gaps).
const demoLat, demoLng = 30.27, 120.15

type demo struct {
	svc   *matcher.Service
	clock *demoClock
	r     *rand.Rand
	bar   *phaseBar
	end   time.Time
	admin context.Context

	district    *matcher.Organisation
	streets     []*matcher.Organisation
	communities []*matcher.Organisation
	centres     []geo.Point // of the communities
	orgs        []*matcher.Organisation
	enterprises []*matcher.Enterprise
	volunteers  []*matcher.Volunteer
	residents   []demoResident
	quality     map[string]int // supplier id → how well it serves (rating bias)
	wishes      int
	plan        []demoProgramme
}

// demoProgramme is a programme the demo buys: its provider serves the
// wishes of its category in its area, itself or through its member
// volunteers, so that its evaluation has something to say.
type demoProgramme struct {
	name, dept, category string
	provider             int // index in demo.orgs
	tags                 []string
	centre               geo.Point
	radius               float64 // metres of its hexagon, or 0 for cells
	communities          []int   // for cells: the res-8 cells of these communities' centres
	budget               float64
	output               *matcher.Output
}

// covers reports whether the programme's area holds p, roughly.
func (pr *demoProgramme) covers(p geo.Point, centres []geo.Point) bool {
	if pr.radius > 0 {
		return geo.Distance(p, pr.centre) < pr.radius*0.85
	}
	for _, c := range pr.communities {
		if geo.Distance(p, centres[c]) < 400 {
			return true
		}
	}
	return false
}

type demoResident struct {
	r         *matcher.Resident
	community int
	age       int
}

// offset returns the point dy, dx metres from p.
func offset(p geo.Point, dy, dx float64) geo.Point {
	const m = 1.0 / 111_195
	return geo.Point{Lat: p.Lat + dy*m, Lng: p.Lng + dx*m/math.Cos(p.Lat*math.Pi/180)}
}

func loc(p geo.Point) *matcher.Location {
	return &matcher.Location{Lat: round6(p.Lat), Lng: round6(p.Lng)}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func (d *demo) as(role, subject string) context.Context {
	return matcher.WithPrincipal(context.Background(), matcher.Principal{Role: role, SubjectID: subject, KeyPrefix: "linli-demo"})
}

// near draws a point around p, normally with sigma metres.
func (d *demo) near(p geo.Point, sigma float64) geo.Point {
	return offset(p, d.r.NormFloat64()*sigma, d.r.NormFloat64()*sigma)
}

var (
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	demoGiven    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建国建华志强文博雨欣子涵浩然梓轩一诺欣怡思远")
)

func (d *demo) name() string {
	n := string(demoSurnames[d.r.IntN(len(demoSurnames))]) + string(demoGiven[d.r.IntN(len(demoGiven))])
	if d.r.IntN(2) == 0 {
		n += string(demoGiven[d.r.IntN(len(demoGiven))])
	}
	return n
}

func (d *demo) phone() string { return fmt.Sprintf("13%d%08d", 5+d.r.IntN(5), d.r.IntN(100_000_000)) }

func (d *demo) birth(age int) string {
	t := d.end.AddDate(-age, 0, -d.r.IntN(360)-1)
	return t.Format(time.DateOnly)
}

func (d *demo) seed(ctx context.Context) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"tree", d.tree}, {"suppliers", d.suppliers}, {"volunteers", d.seedVolunteers},
		{"residents", d.seedResidents}, {"wishes", d.seedWishes}, {"programmes", d.programmes},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("demo %s: %w", st.name, err)
		}
	}
	d.clock.set(d.end)
	d.svc.ExpireDue(ctx)
	return nil
}

func (d *demo) tree(ctx context.Context) error {
	centre := geo.Point{Lat: demoLat, Lng: demoLng}
	var err error
	d.district, err = d.svc.CreateOrganisation(d.admin, matcher.OrganisationInput{Name: "拱墅区志愿服务联合会", Kind: "district", Location: loc(centre)})
	if err != nil {
		return err
	}
	coord := d.as(matcher.RoleCoordinator, d.district.ID)
	streetAt := []geo.Point{offset(centre, 0, -2200), offset(centre, 0, 2200), offset(centre, 2400, 0)}
	streetNames := []string{"湖墅街道", "小河街道", "祥符街道"}
	communityNames := []string{"大兜路社区", "卖鱼桥社区", "珠儿潭社区", "德胜新村社区", "小河路社区", "长征桥社区", "和睦新村社区", "和平新村社区",
		"杨家牌楼社区", "吉祥寺社区", "北部新村社区（外围）", "勾山里社区（远郊）"}
	for s := range 3 {
		st, err := d.svc.CreateOrganisation(coord, matcher.OrganisationInput{Name: streetNames[s], Kind: "street", ParentID: d.district.ID, Location: loc(streetAt[s])})
		if err != nil {
			return err
		}
		d.streets = append(d.streets, st)
		sc := d.as(matcher.RoleCoordinator, st.ID)
		for c := range 4 {
			i := s*4 + c
			at := offset(streetAt[s], float64(c/2)*1100-550, float64(c%2)*1100-550)
			switch i {
			case 10:
				at = offset(streetAt[s], 2900, -400)
			case 11:
				at = offset(streetAt[s], 4200, 3800)
			}
			com, err := d.svc.CreateOrganisation(sc, matcher.OrganisationInput{Name: communityNames[i], Kind: "community", ParentID: st.ID, Location: loc(at)})
			if err != nil {
				return err
			}
			d.communities, d.centres = append(d.communities, com), append(d.centres, at)
		}
	}
	between := geo.Point{Lat: (streetAt[0].Lat + streetAt[1].Lat) / 2, Lng: (streetAt[0].Lng + streetAt[1].Lng) / 2}
	d.plan = []demoProgramme{
		{"长者助餐服务", "民政局", "meal_delivery", 0, []string{"elderly"}, streetAt[0], 1600, nil, 360000, &matcher.Output{Unit: "wishes", Quantity: 600}},
		{"居家养老上门服务", "民政局", "elderly_care", 1, []string{"elderly"}, geo.Point{}, 0, []int{0, 1, 2, 3}, 480000, &matcher.Output{Unit: "visits", Quantity: 1200}},
		{"高龄老人健康照护", "卫健委", "elderly_care", 2, []string{"aged", "elderly"}, between, 2800, nil, 520000, &matcher.Output{Unit: "visits", Quantity: 1000}},
		{"残障人士居家照护", "残联", "home_visit", 3, []string{"disabled"}, streetAt[1], 1600, nil, 200000, &matcher.Output{Unit: "visits", Quantity: 400}},
		{"四点半课堂", "团区委", "tutoring", 4, []string{"minor"}, geo.Point{}, 0, []int{8, 9}, 150000, &matcher.Output{Unit: "hours", Quantity: 2000}},
		{"就医陪护服务", "卫健委", "medical_escort", 7, []string{"elderly", "disabled"}, streetAt[2], 1200, nil, 90000, &matcher.Output{Unit: "wishes", Quantity: 150}},
	}
	return nil
}

// servedCentre draws one of the ten served communities' centres.
func (d *demo) servedCentre() (int, geo.Point) {
	i := d.r.IntN(10)
	return i, d.centres[i]
}

// clearOfOutskirts reports whether p is away from the two outlying
// communities, so that 11 stays strained and 12 a gap.
func (d *demo) clearOfOutskirts(p geo.Point) bool {
	return geo.Distance(p, d.centres[10]) > 1800 && geo.Distance(p, d.centres[11]) > 2500
}

func (d *demo) suppliers(ctx context.Context) error {
	d.quality = map[string]int{}
	kinds := []string{"social_org", "volunteer_team"}
	orgCats := [][]string{{"meal_delivery", "elderly_care"}, {"elderly_care", "home_visit"}, {"elderly_care", "medical_escort"},
		{"home_visit", "companionship"}, {"tutoring", "school_supplies"}, {"repair", "shopping"}, {"companionship"}, {"medical_escort"}}
	orgNames := []string{"颐乐养老服务中心", "阳光助残服务社", "仁爱健康服务中心", "邻里守望志愿队", "新苗青少年服务社", "巧手维修志愿队", "暖心陪伴志愿队", "康宁就医陪护社"}
	for i := range 40 {
		c, at := d.servedCentre()
		for !d.clearOfOutskirts(at) {
			c, at = d.servedCentre()
		}
		st := d.streets[c/4]
		name := orgNames[i%len(orgNames)]
		if i >= len(orgNames) {
			name = fmt.Sprintf("%s第%d分队", name, i/len(orgNames)+1)
		}
		o, err := d.svc.CreateOrganisation(d.as(matcher.RoleCoordinator, st.ID), matcher.OrganisationInput{
			Name: name, Kind: kinds[i%2], ParentID: d.communities[c].ID, Location: loc(d.near(at, 250)),
			Categories: orgCats[i%len(orgCats)], Vetted: i%3 != 2, Capacity: map[string]int{orgCats[i%len(orgCats)][0]: 3}})
		if err != nil {
			return err
		}
		d.orgs = append(d.orgs, o)
		d.quality[o.ID] = i % 3
	}
	entCats := [][]string{{"repair"}, {"shopping", "meal_delivery"}, {"school_supplies"}, {"meal_delivery"}, {"repair", "shopping"}}
	entNames := []string{"诚信家电维修", "邻里生鲜超市", "文华书店", "老味道食堂", "安居物业服务"}
	for i := range 30 {
		c, at := d.servedCentre()
		e, err := d.svc.CreateEnterprise(d.as(matcher.RoleCoordinator, d.communities[c].ID), matcher.EnterpriseInput{
			Name:     fmt.Sprintf("%s（%s店）", entNames[i%len(entNames)], strings.TrimSuffix(d.communities[c].Name, "社区")),
			Location: loc(d.near(at, 300)), Categories: entCats[i%len(entCats)], Vetted: i%4 != 3})
		if err != nil {
			return err
		}
		d.enterprises = append(d.enterprises, e)
		d.quality[e.ID] = i % 3
		if i%3 == 0 {
			if _, err := d.svc.CreateResource(d.as(matcher.RoleEnterprise, e.ID), matcher.ResourceInput{
				Kind: "goods", Category: entCats[i%len(entCats)][0], Title: "爱心物资", Quantity: 5, Location: e.Location}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *demo) seedVolunteers(ctx context.Context) error {
	skills := []string{"repair", "cooking", "tutoring", "driving", "listening", "first_aid"}
	certs := []string{"background_check", "child_safeguarding", "first_aid", "disability_care", "driver"}
	for i := range 2000 {
		d.bar.report("volunteers", i, 2000)
		c, at := d.servedCentre()
		p := d.near(at, 600)
		for !d.clearOfOutskirts(p) {
			c, at = d.servedCentre()
			p = d.near(at, 600)
		}
		if i < 3 { // the only three who can walk to community 11
			c, p = 10, d.near(d.centres[10], 200)
		}
		in := matcher.VolunteerInput{Name: d.name(), Phone: d.phone(), BirthDate: d.birth(18 + d.r.IntN(55)), Location: loc(p)}
		for _, s := range skills {
			if d.r.Float64() < 0.3 {
				in.Skills = append(in.Skills, s)
			}
		}
		for _, ct := range certs {
			if d.r.Float64() < 0.35 {
				in.Certifications = append(in.Certifications, matcher.Certification{Type: ct, ExpiresAt: d.end.AddDate(1+d.r.IntN(2), 0, 0)})
			}
		}
		for _, pr := range d.plan { // a programme's provider recruits where it serves
			if in.OrganisationID == "" && pr.covers(p, d.centres) && d.r.Float64() < 0.35 {
				in.OrganisationID = d.orgs[pr.provider].ID
			}
		}
		if in.OrganisationID == "" && d.r.Float64() < 0.2 {
			in.OrganisationID = d.orgs[d.r.IntN(len(d.orgs))].ID
		}
		in.NodeID = d.communities[c].ID
		v, err := d.svc.CreateVolunteer(d.as(matcher.RoleCoordinator, d.district.ID), in)
		if err != nil {
			return err
		}
		d.volunteers = append(d.volunteers, v)
		d.quality[v.ID] = d.r.IntN(3)
	}
	return nil
}

func (d *demo) seedResidents(ctx context.Context) error {
	disabilities := []string{"wheelchair_user", "visual", "hearing", "cognitive", "mobility", "chronic_illness"}
	for i := range 600 {
		d.bar.report("residents", i, 600)
		c := i % 12
		var age int
		switch x := d.r.Float64(); {
		case c == 10 || c == 11 || x < 0.45:
			age = 60 + d.r.IntN(36)
		case x < 0.65:
			age = 6 + d.r.IntN(12)
		default:
			age = 18 + d.r.IntN(42)
		}
		in := matcher.ResidentInput{Name: d.name(), Phone: d.phone(), BirthDate: d.birth(age), Disabilities: []string{},
			LivesAlone: age >= 60 && d.r.Float64() < 0.4, Address: fmt.Sprintf("%s%d幢%d单元%d室", d.communities[c].Name, 1+d.r.IntN(30), 1+d.r.IntN(4), 101+d.r.IntN(18)*100),
			Location: loc(d.near(d.centres[c], 220)),
			Consent:  &matcher.Consent{GivenBy: "self", Purpose: "社区微心愿服务对接", GivenAt: d.clock.get().Add(-time.Hour)}}
		if matcher.AgeAt(in.BirthDate, d.clock.get()) < 14 {
			in.Consent.GivenBy, in.Consent.GuardianName = "guardian", d.name()
		}
		if d.r.Float64() < 0.15 {
			in.Disabilities = []string{disabilities[d.r.IntN(len(disabilities))]}
		}
		r, err := d.svc.CreateResident(d.as(matcher.RoleSocialWorker, d.communities[c].ID), in)
		if err != nil {
			return err
		}
		d.residents = append(d.residents, demoResident{r: r, community: c, age: age})
	}
	return nil
}

// wishPlan is one wish to make and what becomes of it.
type wishPlan struct {
	res      demoResident
	category string
	created  time.Time
	fate     string
}

var demoTitles = map[string][]string{
	"repair": {"修理漏水的水龙头", "更换楼道灯泡", "修理轮椅刹车"}, "school_supplies": {"需要新学期的文具", "想要一个书包"},
	"companionship": {"希望有人陪聊天", "想找人一起下棋"}, "home_visit": {"希望定期上门探访", "独居老人需要上门看看"},
	"meal_delivery": {"需要每天送午餐", "行动不便，需要送餐"}, "medical_escort": {"需要陪同去医院复诊", "去社区医院体检需要陪同"},
	"elderly_care": {"需要居家照护", "希望有人帮忙测血压"}, "tutoring": {"数学作业辅导", "英语阅读辅导"},
	"shopping": {"帮忙买菜", "代购日用品"},
}

func (d *demo) categoryFor(r demoResident) string {
	var cats []string
	switch {
	case r.community == 10:
		return "meal_delivery"
	case r.age < 18:
		cats = []string{"tutoring", "school_supplies", "companionship"}
	case r.age >= 60:
		cats = []string{"home_visit", "meal_delivery", "elderly_care", "companionship", "medical_escort", "shopping", "repair"}
	default:
		cats = []string{"repair", "shopping", "medical_escort", "companionship"}
	}
	return cats[d.r.IntN(len(cats))]
}

func (d *demo) seedWishes(ctx context.Context) error {
	var plans []wishPlan
	day := 24 * time.Hour
	for i := range 900 {
		res := d.residents[i%len(d.residents)]
		if res.community == 11 && d.r.IntN(3) != 0 {
			res = d.residents[(i+1)%len(d.residents)]
		}
		p := wishPlan{res: res, category: d.categoryFor(res)}
		x := d.r.Float64()
		switch {
		case res.community >= 10 || x < 0.30:
			p.fate = "open"
		case x < 0.37:
			p.fate = "claimed"
		case x < 0.44:
			p.fate = "fulfilled"
		case x < 0.76:
			p.fate = "confirmed"
		case x < 0.79:
			p.fate = "disputed"
		case x < 0.84:
			p.fate = "cancelled"
		case x < 0.90:
			p.fate = "stale"
		default:
			p.fate = "expired"
		}
		if res.community >= 10 && x > 0.85 {
			p.fate = "cancelled"
		}
		ago := map[string][2]int{"open": {1, 20}, "claimed": {0, 1}, "fulfilled": {2, 6}, "confirmed": {8, 58},
			"disputed": {1, 2}, "cancelled": {3, 40}, "stale": {6, 12}, "expired": {30, 58}}[p.fate]
		p.created = d.end.Add(-time.Duration(ago[0])*day - time.Duration(d.r.Int64N(int64(ago[1]-ago[0])*int64(day)+int64(time.Hour))))
		plans = append(plans, p)
	}
	sort.SliceStable(plans, func(i, j int) bool { return plans[i].created.Before(plans[j].created) })
	for i, p := range plans {
		d.bar.report("wishes", i, len(plans))
		if err := d.wish(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// wish makes one wish and its history.
func (d *demo) wish(ctx context.Context, p wishPlan) error {
	d.clock.set(p.created)
	social := d.as(matcher.RoleSocialWorker, d.communities[p.res.community].ID)
	coord := d.as(matcher.RoleCoordinator, d.district.ID)
	due := p.created.Add(time.Duration(4+d.r.IntN(25)) * 24 * time.Hour)
	switch p.fate {
	case "open", "stale", "cancelled":
		due = d.end.Add(time.Duration(2+d.r.IntN(20)) * 24 * time.Hour)
	case "expired":
		due = p.created.Add(time.Duration(3+d.r.IntN(8)) * 24 * time.Hour)
	}
	titles := demoTitles[p.category]
	w, err := d.svc.CreateWish(social, matcher.WishInput{ResidentID: p.res.r.ID, Category: p.category, Title: titles[d.r.IntN(len(titles))],
		Description: "由社工走访时记录", DueAt: due, OnSite: p.category != "school_supplies", AllowDuplicate: true})
	if err != nil {
		return err
	}
	d.wishes++
	at := p.created
	step := func(min, max time.Duration) {
		at = at.Add(min + time.Duration(d.r.Int64N(int64(max-min)+1)))
		d.clock.set(at)
	}
	switch p.fate {
	case "open", "expired":
		return nil
	case "cancelled":
		step(time.Hour, 48*time.Hour)
		_, err := d.svc.Cancel(social, w.ID, matcher.CancelInput{Reason: "居民已自行解决"})
		return err
	}
	step(20*time.Minute, 30*time.Hour)
	if p.fate == "claimed" || p.fate == "disputed" {
		at = earlier(at, d.end.Add(-2*time.Hour))
		d.clock.set(at)
	}
	if p.fate == "stale" {
		at = d.end.Add(-time.Duration(4+d.r.IntN(4)) * 24 * time.Hour)
		d.clock.set(at)
	}
	list, err := d.svc.WishCandidates(coord, w.ID, 8)
	if err != nil {
		return err
	}
	var who []matcher.Candidate
	for _, c := range list.Candidates {
		if c.Kind != "resource" {
			who = append(who, c)
		}
	}
	if len(who) == 0 {
		return nil // nobody may serve it: it stays open
	}
	c := who[d.r.IntN(min(len(who), 4))]
	if pr := d.programmeFor(p); pr != nil && d.r.Float64() < 0.8 {
		for _, x := range who {
			if d.serves(pr, x) {
				c = x
				break
			}
		}
	}
	supplier := d.as(c.Kind, c.ID)
	claim, err := d.svc.ClaimWish(supplier, w.ID)
	if err != nil {
		if matcher.ErrorCode(err) == matcher.EINELIGIBLE || matcher.ErrorCode(err) == matcher.ECONFLICT {
			return nil
		}
		return err
	}
	if p.fate == "claimed" || p.fate == "stale" {
		return nil
	}
	step(2*time.Hour, 40*time.Hour)
	in := matcher.FulfilmentInput{Note: "已完成，居民满意", DoneAt: at.Add(-30 * time.Minute)}
	if c.Kind == matcher.RoleVolunteer {
		in.Hours = []matcher.Hours{{VolunteerID: c.ID, Hours: float64(1+d.r.IntN(6)) / 2}}
	}
	if _, err := d.svc.Fulfil(supplier, w.ID, in); err != nil {
		return fmt.Errorf("fulfil %s as %s: %w", w.ID, claim.Claimant.ID, err)
	}
	if p.fate == "fulfilled" {
		return nil
	}
	step(4*time.Hour, 40*time.Hour)
	if p.fate == "disputed" {
		at = earlier(at, d.end.Add(-time.Hour))
		d.clock.set(at)
		_, err := d.svc.Confirm(social, w.ID, matcher.ConfirmationInput{Outcome: matcher.OutcomeDisputed, Comment: "居民反映未完成"})
		return err
	}
	_, err = d.svc.Confirm(social, w.ID, matcher.ConfirmationInput{Outcome: matcher.OutcomeConfirmed, Rating: d.rating(c.ID)})
	return err
}

// programmeFor returns the programme whose provider should serve the
// wish, or nil.
func (d *demo) programmeFor(p wishPlan) *demoProgramme {
	at := p.res.r.Location.Point()
	for i := range d.plan {
		if pr := &d.plan[i]; pr.category == p.category && pr.covers(at, d.centres) {
			return pr
		}
	}
	return nil
}

// serves reports whether a candidate is the programme's provider or one
// of its volunteers.
func (d *demo) serves(pr *demoProgramme, c matcher.Candidate) bool {
	org := d.orgs[pr.provider]
	if c.ID == org.ID {
		return true
	}
	if c.Kind != matcher.RoleVolunteer {
		return false
	}
	i := slices.IndexFunc(d.volunteers, func(v *matcher.Volunteer) bool { return v.ID == c.ID })
	return i >= 0 && d.volunteers[i].OrganisationID == org.ID
}

// rating draws a resident's rating of a supplier, by how well it serves.
func (d *demo) rating(supplier string) int {
	weights := [][]int{{1, 1, 2, 6, 10}, {1, 2, 4, 7, 5}, {3, 4, 5, 4, 2}}[d.quality[supplier]]
	n := d.r.IntN(20)
	for i, w := range weights {
		if n < w {
			return i + 1
		}
		n -= w
	}
	return 5
}

// hexagon is a GeoJSON ring of six points r metres around p.
func hexagon(p geo.Point, r float64) *matcher.Polygon {
	var ring [][]float64
	for i := range 7 {
		a := float64(i%6) * math.Pi / 3
		q := offset(p, r*math.Sin(a), r*math.Cos(a))
		ring = append(ring, []float64{round6(q.Lng), round6(q.Lat)})
	}
	return &matcher.Polygon{Type: "Polygon", Coordinates: [][][]float64{ring}}
}

func (d *demo) programmes(ctx context.Context) error {
	d.clock.set(d.end.Add(-50 * 24 * time.Hour))
	coord := d.as(matcher.RoleCoordinator, d.district.ID)
	start := time.Date(d.end.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	if d.end.Sub(start) < 90*24*time.Hour {
		start = start.AddDate(-1, 0, 0)
	}
	finish := start.AddDate(1, 6, 0)
	for _, p := range d.plan {
		in := matcher.ProgrammeInput{Name: p.name, Department: p.dept, ProviderID: d.orgs[p.provider].ID,
			Category: p.category, TargetGroup: matcher.TargetGroup{Tags: p.tags}, Budget: p.budget,
			StartsAt: start, EndsAt: finish, Output: p.output}
		if p.radius > 0 {
			in.Area = hexagon(p.centre, p.radius)
		}
		for _, c := range p.communities {
			in.Cells = append(in.Cells, d.svc.Grid().CellAt(d.centres[c], 8).String())
		}
		if _, err := d.svc.CreateProgramme(coord, in); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// keys makes the keys a newcomer signs in with, one per role.
func (d *demo) keys(ctx context.Context) ([]demoKey, error) {
	d.clock.set(d.end)
	var vol *matcher.Volunteer
	for _, v := range d.volunteers[3:] {
		if slices.ContainsFunc(v.Certifications, func(c matcher.Certification) bool { return c.Type == "background_check" }) {
			vol = v
			break
		}
	}
	want := []struct{ who, role, subject string }{
		{d.district.Name, matcher.RoleCoordinator, d.district.ID},
		{d.streets[0].Name, matcher.RoleCoordinator, d.streets[0].ID},
		{d.communities[0].Name, matcher.RoleSocialWorker, d.communities[0].ID},
		{d.communities[10].Name, matcher.RoleSocialWorker, d.communities[10].ID},
		{vol.Name, matcher.RoleVolunteer, vol.ID},
		{d.orgs[0].Name, matcher.RoleOrganisation, d.orgs[0].ID},
		{d.enterprises[0].Name, matcher.RoleEnterprise, d.enterprises[0].ID},
	}
	var out []demoKey
	for _, w := range want {
		k, err := d.svc.CreateAPIKey(d.admin, matcher.APIKeyInput{Role: w.role, SubjectID: w.subject})
		if err != nil {
			return nil, err
		}
		out = append(out, demoKey{who: w.who, role: w.role, key: k.Key})
	}
	return out, nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
