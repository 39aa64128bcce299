package inbox

// LiveOnly is the scope whose reports read no rollup: every figure from the base tables, the
// oracle the rollup tests compare with.
func (sc Scope) LiveOnly() Scope {
	sc.liveOnly = true
	return sc
}

// BucketSeconds exposes bucketSeconds to the bucket test.
func BucketSeconds(b int16) float64 { return bucketSeconds(b) }
