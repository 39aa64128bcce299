package workflow

import "testing"

func TestPick(t *testing.T) {
	t.Parallel()
	const team, other = 1, 2
	agent := func(id int64, load, capacity int, seq int64, teams ...int64) candidate {
		if len(teams) == 0 {
			teams = []int64{team}
		}
		return candidate{id: id, load: load, capacity: capacity, seq: seq, teams: teams}
	}
	tests := []struct {
		name  string
		cands []candidate
		want  int64 // agent id; 0 for nobody
	}{
		{"nobody", nil, 0},
		{"least loaded", []candidate{agent(1, 3, 10, 1), agent(2, 1, 10, 5), agent(3, 2, 10, 2)}, 2},
		{"full agents are skipped", []candidate{agent(1, 10, 10, 1), agent(2, 4, 4, 0), agent(3, 9, 10, 9)}, 3},
		{"everyone full", []candidate{agent(1, 10, 10, 1), agent(2, 4, 4, 0)}, 0},
		{"other teams' agents are skipped", []candidate{agent(1, 0, 10, 0, other), agent(2, 5, 10, 3, other, team)}, 2},
		{"equals: least recently assigned", []candidate{agent(1, 2, 10, 9), agent(2, 2, 10, 4), agent(3, 2, 10, 7)}, 2},
		{"equals never assigned: lowest id", []candidate{agent(3, 0, 10, 0), agent(2, 0, 10, 0)}, 2},
		{"zero capacity takes nothing", []candidate{agent(1, 0, 0, 0)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got int64
			if i := pick(tt.cands, team); i >= 0 {
				got = tt.cands[i].id
			}
			if got != tt.want {
				t.Fatalf("pick = agent %d, want %d", got, tt.want)
			}
		})
	}
}
