package esdbtest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/settlenet/settlenet/eventstore"
)

// readPage is how many records one trip to the store fetches.
const readPage = 512

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

// GetSupportedMethods answers the client's connect-time probe. The version
// must parse as major.minor.patch or the client refuses the node; 24.10.0 is
// the server line whose v1 streams protocol this fixture follows.
func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: "24.10.0",
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: svc, MethodName: "read"},
			{ServiceName: svc, MethodName: "append"},
		},
	}, nil
}

type streamsService struct {
	streams.UnimplementedStreamsServer
	inst *instance
}

func (h *streamsService) Append(srv streams.Streams_AppendServer) error {
	ctx := srv.Context()
	if err := h.inst.srv.wait(ctx); err != nil {
		return status.FromContextError(err).Err()
	}
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first append message must carry the options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	var expected eventstore.ExpectedRevision
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_Revision:
		expected = eventstore.Exact(e.Revision)
	case *streams.AppendReq_Options_NoStream:
		expected = eventstore.NoStream()
	case *streams.AppendReq_Options_StreamExists:
		expected = eventstore.StreamExists()
	default:
		expected = eventstore.Any()
	}
	var events []eventstore.EventData
	size, limit := 0, h.inst.srv.maxAppendSize()
	for {
		req, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		pm := req.GetProposedMessage()
		if pm == nil {
			return status.Error(codes.InvalidArgument, "expected a proposed message")
		}
		id, err := uuidFromProto(pm.GetId())
		if err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		events = append(events, eventstore.EventData{
			ID:       id,
			Type:     pm.GetMetadata()["type"],
			Data:     pm.GetData(),
			Metadata: pm.GetCustomMetadata(),
		})
		if size += len(pm.GetData()) + len(pm.GetCustomMetadata()); size > limit {
			// As EventStoreDB answers an append over its MaxAppendSize.
			return status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", limit)
		}
	}
	res, err := h.inst.store.Append(ctx, stream, expected, events...)
	var wrong *eventstore.WrongExpectedRevisionError
	switch {
	case errors.As(err, &wrong):
		h.inst.srv.conflicted(stream)
		// A conflict is a normal reply, not a gRPC error: that is how
		// the client tells it from a failure.
		return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: wrongVersion(wrong),
		}})
	case err != nil:
		return storeStatus(ctx, err)
	}
	h.inst.publish(res.Position.Commit)
	return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: res.NextRevision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: res.Position.Commit, PreparePosition: res.Position.Prepare,
		}},
	}}})
}

func wrongVersion(w *eventstore.WrongExpectedRevisionError) *streams.AppendResp_WrongExpectedVersion {
	out := &streams.AppendResp_WrongExpectedVersion{}
	if w.Actual < 0 {
		out.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		out.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(w.Actual)}
	}
	switch e := w.Expected; {
	case e.IsNoStream():
		out.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case e.IsStreamExists():
		out.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case e.IsAny():
		out.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	default:
		rev, _ := e.Exact()
		out.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: rev}
	}
	return out
}

// storeStatus turns a store error into the gRPC status a node would send.
func storeStatus(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	case errors.Is(err, eventstore.ErrInvalidStream), errors.Is(err, eventstore.ErrInvalidEvent):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, eventstore.ErrClosed):
		return status.Error(codes.Unavailable, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

func (h *streamsService) Read(req *streams.ReadReq, srv streams.Streams_ReadServer) error {
	ctx := srv.Context()
	if err := h.inst.srv.wait(ctx); err != nil {
		return status.FromContextError(err).Err()
	}
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read without options")
	}
	_, subscribe := o.GetCountOption().(*streams.ReadReq_Options_Subscription)
	switch so := o.GetStreamOption().(type) {
	case *streams.ReadReq_Options_Stream:
		if subscribe {
			return status.Error(codes.Unimplemented, "esdbtest: stream subscriptions are not implemented")
		}
		return h.readStream(ctx, so.Stream, o, srv)
	case *streams.ReadReq_Options_All:
		if subscribe {
			return h.subscribeAll(ctx, so.All, o, srv)
		}
		return h.readAll(ctx, so.All, o, srv)
	}
	return status.Error(codes.InvalidArgument, "read of neither a stream nor $all")
}

// count is how many records a plain read asks for; 0 means no limit.
func count(o *streams.ReadReq_Options) int {
	n := o.GetCount()
	if n > math.MaxInt32 {
		return 0
	}
	return int(n)
}

// readStream answers a plain stream read: events only, or one
// stream-not-found message. Plain reads must not send first/last stream
// position or caught-up messages: the v4 client panics on them.
func (h *streamsService) readStream(ctx context.Context, so *streams.ReadReq_Options_StreamOptions, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	name := string(so.GetStreamIdentifier().GetStreamName())
	opts := eventstore.ReadStreamOptions{Max: count(o)}
	if o.GetReadDirection() == streams.ReadReq_Options_Backwards {
		opts.Direction = eventstore.Backwards
	}
	switch r := so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		opts.From = r.Revision
	case *streams.ReadReq_Options_StreamOptions_End:
		if opts.Direction == eventstore.Forwards {
			return nil // nothing comes after the end
		}
		opts.FromEnd = true
	}
	recs, err := h.inst.store.ReadStream(ctx, name, opts)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return srv.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
		}}})
	}
	if err != nil {
		return storeStatus(ctx, err)
	}
	for _, r := range recs {
		if err := srv.Send(eventMessage(r)); err != nil {
			return err
		}
	}
	return nil
}

// readAll answers a plain $all read. A position is inclusive, as on a node.
func (h *streamsService) readAll(ctx context.Context, ao *streams.ReadReq_Options_AllOptions, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	limit := count(o)
	sent := 0
	more := func() int {
		if limit == 0 {
			return readPage
		}
		return min(readPage, limit-sent)
	}
	if o.GetReadDirection() == streams.ReadReq_Options_Backwards {
		// Positions are dense, so "the n records up to p" is (p-n, p].
		upTo := h.inst.last.Load()
		switch p := ao.GetAllOption().(type) {
		case *streams.ReadReq_Options_AllOptions_Position:
			upTo = min(upTo, p.Position.GetCommitPosition())
		case *streams.ReadReq_Options_AllOptions_Start:
			return nil
		}
		for upTo > 0 && (limit == 0 || sent < limit) {
			n := uint64(more())
			after := upTo - min(upTo, n)
			recs, err := h.inst.store.ReadAll(ctx, eventstore.Position{Commit: after, Prepare: after}, int(upTo-after))
			if err != nil {
				return storeStatus(ctx, err)
			}
			for _, r := range slices.Backward(recs) {
				if err := srv.Send(eventMessage(r)); err != nil {
					return err
				}
				sent++
			}
			upTo = after
		}
		return nil
	}
	var after uint64
	switch p := ao.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		if c := p.Position.GetCommitPosition(); c > 0 {
			after = c - 1
		}
	case *streams.ReadReq_Options_AllOptions_End:
		return nil
	}
	for limit == 0 || sent < limit {
		recs, err := h.inst.store.ReadAll(ctx, eventstore.Position{Commit: after, Prepare: after}, more())
		if err != nil {
			return storeStatus(ctx, err)
		}
		if len(recs) == 0 {
			return nil
		}
		for _, r := range recs {
			if err := srv.Send(eventMessage(r)); err != nil {
				return err
			}
			sent++
		}
		after = recs[len(recs)-1].Position.Commit
	}
	return nil
}

// subscribeAll is a catch-up subscription to $all: a confirmation first (the
// client's SubscribeToAll waits for it), then every record after the start
// position that passes the filter, then live ones as appends publish them.
// With a filter, a checkpoint follows every window x multiplier records
// scanned, carrying the position of the last one scanned.
func (h *streamsService) subscribeAll(ctx context.Context, ao *streams.ReadReq_Options_AllOptions, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	match, every, err := compileFilter(o)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	var after uint64
	switch p := ao.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		after = p.Position.GetCommitPosition() // exclusive, as on a node
	case *streams.ReadReq_Options_AllOptions_End:
		after = h.inst.last.Load()
	}
	if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{Confirmation: &streams.ReadResp_SubscriptionConfirmation{
		SubscriptionId: "esdbtest-" + strconv.FormatUint(after, 10),
	}}}); err != nil {
		return err
	}
	scanned := uint64(0)
	caughtUp := false
	for {
		wake := h.inst.published()
		recs, err := h.inst.store.ReadAll(ctx, eventstore.Position{Commit: after, Prepare: after}, readPage)
		if err != nil {
			return storeStatus(ctx, err)
		}
		for _, r := range recs {
			after = r.Position.Commit
			if match(r) {
				if err := srv.Send(eventMessage(r)); err != nil {
					return err
				}
			}
			if scanned++; every > 0 && scanned%every == 0 {
				if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
					CommitPosition: r.Position.Commit, PreparePosition: r.Position.Prepare,
				}}}); err != nil {
					return err
				}
			}
		}
		if len(recs) > 0 {
			continue
		}
		if !caughtUp {
			// Servers since 23.10 say when a subscription goes live; the
			// adapter must ignore it.
			caughtUp = true
			if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// compileFilter turns a read's filter options into a predicate and the
// checkpoint interval in scanned records (0: no checkpoints).
func compileFilter(o *streams.ReadReq_Options) (func(eventstore.Record) bool, uint64, error) {
	f := o.GetFilter()
	if f == nil {
		return func(eventstore.Record) bool { return true }, 0, nil
	}
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	field := func(r eventstore.Record) string { return r.Type }
	switch x := f.GetFilter().(type) {
	case *streams.ReadReq_Options_FilterOptions_StreamIdentifier:
		expr = x.StreamIdentifier
		field = func(r eventstore.Record) string { return r.Stream }
	case *streams.ReadReq_Options_FilterOptions_EventType:
		expr = x.EventType
	default:
		return nil, 0, errors.New("filter on neither stream nor event type")
	}
	every := uint64(0)
	if w, ok := f.GetWindow().(*streams.ReadReq_Options_FilterOptions_Max); ok {
		every = uint64(w.Max) * uint64(max(f.GetCheckpointIntervalMultiplier(), 1))
	}
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, 0, err
		}
		return func(r eventstore.Record) bool { return re.MatchString(field(r)) }, every, nil
	}
	prefixes := expr.GetPrefix()
	return func(r eventstore.Record) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(field(r), p) })
	}, every, nil
}

// eventMessage is a record as a node sends it. The "created" metadata must
// be a decimal count of 100 ns ticks since the Unix epoch: the v4 client
// exits the process if it cannot parse it.
func eventMessage(r eventstore.Record) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               uuidToProto(r.ID),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.Stream)},
			StreamRevision:   r.Revision,
			CommitPosition:   r.Position.Commit,
			PreparePosition:  r.Position.Prepare,
			Metadata: map[string]string{
				"type":         r.Type,
				"content-type": "application/json",
				"created":      strconv.FormatInt(r.Time.UnixNano()/100, 10),
			},
			CustomMetadata: r.Metadata,
			Data:           r.Data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.Position.Commit},
	}}}
}

func uuidToProto(id eventstore.EventID) *shared.UUID {
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

func uuidFromProto(u *shared.UUID) (eventstore.EventID, error) {
	var id eventstore.EventID
	if s := u.GetStructured(); s != nil {
		binary.BigEndian.PutUint64(id[:8], uint64(s.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(id[8:], uint64(s.GetLeastSignificantBits()))
		return id, nil
	}
	return eventstore.ParseEventID(u.GetString_())
}
