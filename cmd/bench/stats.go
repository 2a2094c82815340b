package main

import (
	"runtime"
	"slices"
	"time"
)

func numCPU() int { return runtime.NumCPU() }

// percentileMS is the p-th percentile (0..100) of the durations in ms.
func percentileMS(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(float64(len(d)-1) * p / 100)
	return float64(d[i]) / float64(time.Millisecond)
}

func (b *bench) duration(base time.Duration) time.Duration {
	return time.Duration(float64(base) * b.scale)
}

func (b *bench) count(base int) int {
	n := int(float64(base) * b.scale)
	return max(n, 1)
}
