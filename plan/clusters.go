package plan

import (
	"context"
	"fmt"
	"slices"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// Clusters in messages (DESIGN.md, decision 16): a ministry's reminders
// and overviews list a cluster once, with its members named by mechanism
// and year and its nearest deadline, not each member as a task of its
// own.

// maxClusterNamed is how many members a cluster's line names; it counts
// the others.
const maxClusterNamed = 12

// clustersOf reads the clusters that lines list, by id.
func clustersOf(ctx context.Context, r Reader, ids []int64) (map[int64]ClusterRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	cs, err := r.Clusters(ctx, slices.Compact(ids))
	if err != nil {
		return nil, fmt.Errorf("read clusters: %w", err)
	}
	return cs, nil
}

// clusterLine is cluster c listed once in a message about owner's tasks,
// under deadline d, first being the member the line stands on. Its URL
// opens the cluster's page when owner leads or supports the cluster (or
// is the coordinating body, which sees every page); else the first
// member's page: the cluster's page is not the owner's to open.
func (p *Planner) clusterLine(c ClusterRow, first TaskRow, owner string, d workflow.Deadline, today civil.Date) notify.TaskLine {
	line := p.taskLine(first, d, today)
	line.ID, line.Paragraph, line.Text = c.Name, "", ""
	cl := &notify.ClusterLine{Name: c.Name, Count: len(c.Members)}
	for i, m := range c.Members {
		if i == maxClusterNamed {
			cl.More = len(c.Members) - i
			break
		}
		cl.Members = append(cl.Members, m.Ref())
	}
	line.Cluster = cl
	if line.URL != "" && (p.recipientOf(owner) == p.Config.Coordinator.ID || owner == c.Lead || slices.Contains(c.Support, owner)) {
		line.URL = fmt.Sprintf("cluster/%d", c.ID)
	}
	return line
}
