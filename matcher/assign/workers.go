package assign

import "sync"

// inParallel calls f on consecutive ranges covering 0..n-1, on up to
// workers goroutines at once, and returns when all calls have. Ranges are
// a fixed size, so a slow stretch of the graph does not hold one worker up
// while the other waits.
func inParallel(workers, n int, f func(lo, hi int)) {
	const chunk = 4096
	if workers <= 1 || n <= chunk {
		f(0, n)
		return
	}
	var mu sync.Mutex
	next := 0
	take := func() (int, int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n {
			return 0, 0, false
		}
		lo := next
		next = min(n, next+chunk)
		return lo, next, true
	}
	var wg sync.WaitGroup
	for range min(workers, (n+chunk-1)/chunk) {
		wg.Go(func() {
			for lo, hi, ok := take(); ok; lo, hi, ok = take() {
				f(lo, hi)
			}
		})
	}
	wg.Wait()
}
