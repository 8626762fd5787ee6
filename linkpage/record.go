package linkpage

import (
	"encoding/json"
	"time"
)

// Record is an Update as a line of a session's timeline, in basic types: this package must not
// import plaidflow, so its fields are exactly those of transcript.LinkRecord and a front end
// converts it with transcript.LinkRecord(u.Record()). Kind is "" for what a timeline does not
// keep (the browser opening).
type Record struct {
	Kind     string
	Name     string
	At       time.Time
	URL      string
	Message  string
	Metadata json.RawMessage
	Error    json.RawMessage
}

// Record describes u for a timeline: the page starting (its URL), each Link callback with its
// metadata as Link passed it (onExit with its error), and a Link SDK that could not load. The
// public token is never part of it.
func (u Update) Record() Record {
	switch u.Kind {
	case UpdateStarted:
		return Record{Kind: "link_page", Name: "started", URL: u.URL} // stamped by the timeline
	case UpdateEvent:
	default:
		return Record{}
	}
	ev := u.Event
	r := Record{At: ev.Received, Metadata: ev.RawMetadata}
	switch ev.Kind {
	case KindEvent:
		r.Kind, r.Name = "link_event", ev.Name
	case KindExit:
		r.Kind, r.Name = "link_exit", "onExit"
		if ev.ExitError != nil {
			r.Error, _ = json.Marshal(ev.ExitError)
		}
	case KindSuccess:
		r.Kind, r.Name = "link_success", "onSuccess"
	case KindLoadFailed:
		r.Kind, r.Name, r.Message = "link_page", "could not load Link", ev.LoadError
	default:
		return Record{}
	}
	return r
}
