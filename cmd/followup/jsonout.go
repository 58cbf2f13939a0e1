package main

import (
	"encoding/json"
	"io"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// The JSON printed by --json is a contract with admins' scripts: these
// types, not the domain types, define it, so the domain can change without
// breaking a script. docs/importing.md documents the import's fields.

type jsonDocument struct {
	Symbol          string               `json:"symbol"`
	Kind            string               `json:"kind"`
	Body            string               `json:"body"`
	Title           string               `json:"title"`
	State           string               `json:"state"`
	Language        string               `json:"language,omitempty"`
	Adopted         *string              `json:"adopted"`
	NextReport      jsonNextReport       `json:"next_report"`
	FollowUp        *jsonFollowUp        `json:"follow_up"`
	Parent          string               `json:"parent,omitempty"`
	Recommendations []jsonRecommendation `json:"recommendations"`
	Positions       []jsonPosition       `json:"positions,omitempty"`
	Warnings        []jsonWarning        `json:"warnings"`
}

// jsonWarning is one finding of the import's self-check.
type jsonWarning struct {
	Code string `json:"code"`
	Line int    `json:"line,omitempty"`
	Page int    `json:"page,omitempty"`
	Text string `json:"text"`
}

type jsonNextReport struct {
	Due  *string `json:"due"`
	Text string  `json:"text"`
}

type jsonFollowUp struct {
	Due        *string `json:"due"`
	Paragraphs []int   `json:"paragraphs"`
	Text       string  `json:"text"`
}

type jsonRecommendation struct {
	ID                 string   `json:"id"`
	Document           string   `json:"document"`
	Paragraph          int      `json:"paragraph"`
	Item               string   `json:"item"`
	Section            string   `json:"section"`
	Subsection         string   `json:"subsection"`
	Verb               string   `json:"verb"`
	Text               string   `json:"text"`
	Lead               string   `json:"lead"`
	Concern            *int     `json:"concern"`
	Status             string   `json:"status"`
	RecommendingStates []string `json:"recommending_states"`
	Themes             []string `json:"themes,omitempty"`
	AffectedPersons    []string `json:"affected_persons,omitempty"`
	SDGs               []string `json:"sdgs,omitempty"`
	AnnotationID       string   `json:"annotation_id,omitempty"`
}

type jsonPosition struct {
	ID string `json:"id"`
	// Number is a recommendation an addendum cites by its number alone
	// ("1–5"), before it is matched with the report (id is then "").
	Number string `json:"number,omitempty"`
	Status string `json:"status"`
}

func jsonDate(d civil.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func toJSONDocument(d *workflow.Document) jsonDocument {
	out := jsonDocument{
		Symbol:          d.Symbol,
		Kind:            string(d.Kind),
		Body:            d.Body,
		Title:           d.Title,
		State:           d.State,
		Language:        d.Language,
		Adopted:         jsonDate(d.Adopted),
		NextReport:      jsonNextReport{Due: jsonDate(d.NextReport.Due), Text: d.NextReport.Text},
		Parent:          d.Parent,
		Recommendations: []jsonRecommendation{},
	}
	if d.FollowUp != nil {
		out.FollowUp = &jsonFollowUp{Due: jsonDate(d.FollowUp.Due), Paragraphs: d.FollowUp.Paragraphs, Text: d.FollowUp.Text}
	}
	for _, r := range d.Recommendations {
		out.Recommendations = append(out.Recommendations, toJSONRecommendation(d.Symbol, r))
	}
	for _, p := range d.Positions {
		jp := jsonPosition{ID: p.ID, Status: p.Status}
		if p.ID == "" {
			jp.Number = p.Item
		}
		out.Positions = append(out.Positions, jp)
	}
	out.Warnings = []jsonWarning{}
	for _, w := range d.Warnings {
		out.Warnings = append(out.Warnings, jsonWarning{Code: w.Code, Line: w.Line, Page: w.Page, Text: w.Text})
	}
	return out
}

func toJSONRecommendation(symbol string, r workflow.Recommendation) jsonRecommendation {
	out := jsonRecommendation{
		ID: r.ID, Document: symbol, Paragraph: r.Paragraph, Item: r.Item,
		Section: r.Section, Subsection: r.Subsection, Verb: r.Verb, Text: r.Text, Lead: r.Lead,
		Status: r.Status, RecommendingStates: r.RecommendingStates, Themes: r.Themes,
		AffectedPersons: r.AffectedPersons, SDGs: r.SDGs, AnnotationID: r.AnnotationID,
	}
	if r.Concern > 0 {
		c := r.Concern
		out.Concern = &c
	}
	if out.RecommendingStates == nil {
		out.RecommendingStates = []string{}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
